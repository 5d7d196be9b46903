package extract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The extractors must give exactly what the goquery implementation (reference_test.go)
// gave: these tests run both on the same input and compare the whole result.

type extractorPair struct {
	name     string
	now, ref func([]byte, string) (*Article, error)
}

var extractorPairs = []extractorPair{
	{"Page",
		func(d []byte, u string) (*Article, error) { return Page(d, u, nil) },
		func(d []byte, u string) (*Article, error) { return refPage(d, u, nil) }},
	{"Any",
		func(d []byte, u string) (*Article, error) { return Any(d, u, nil) },
		func(d []byte, u string) (*Article, error) { return refAny(d, u, nil) }},
	{"Generic", Generic, refGeneric},
	{"PublishedTime", publishedOnly(PublishedTime), publishedOnly(refPublishedTime)},
}

// publishedOnly puts PublishedTime's answer in an Article so that one comparison serves.
func publishedOnly(f func([]byte, string) (time.Time, error)) func([]byte, string) (*Article, error) {
	return func(d []byte, u string) (*Article, error) {
		t, err := f(d, u)
		if err != nil {
			return nil, err
		}
		return &Article{Published: t}, nil
	}
}

// checkSame fails unless every extractor and its reference agree on data fetched from u.
// slow skips Generic and Any, whose readability pass dominates a fuzz run's time without
// touching the rewritten code more than PublishedTime's fallback already does.
func checkSame(t *testing.T, data []byte, u string, slow bool) {
	t.Helper()
	for _, p := range extractorPairs {
		if !slow && (p.name == "Generic" || p.name == "Any") {
			continue
		}
		got, gerr := p.now(bytes.Clone(data), u)
		want, werr := p.ref(bytes.Clone(data), u)
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("%s(%q): error %v, reference %v", p.name, u, gerr, werr)
		}
		if !reflect.DeepEqual(got, want) || got != nil && !got.Published.Equal(want.Published) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(want, "", " ")
			t.Fatalf("%s(%q) differs from the reference\ngot  %s\nwant %s\ninput %q", p.name, u, g, w, clip(string(data)))
		}
	}
}

// otherURLs are fetch URLs tried with every fixture besides its own: the page URL decides
// identity, AMP and the date checks, so the same markup takes other paths under them.
var otherURLs = []string{
	"",
	"::not a url",
	"https://japan.news-pravda.com/world/2024/05/01/12345.html",
	"https://pravda-jp.com/world/2024/05/02/99999-amp.html",
	"https://example.org/news/2024/05/01/1.html",
	"https://tass.ru/politika/20712345",
}

func TestEquivalenceFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	own := map[string]string{}
	for _, f := range append(append([]fixture{}, networkPages...), outletPages...) {
		own[f.file] = f.url
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		urls := append([]string{own[filepath.Base(file)]}, otherURLs...)
		t.Run(filepath.Base(file), func(t *testing.T) {
			for _, u := range urls {
				checkSame(t, data, u, true)
			}
			for _, m := range mutants(data) {
				checkSame(t, m, urls[0], true)
			}
		})
	}
}

// TestEquivalenceCorpus compares on a directory of captured pages, when one is given:
// EXTRACT_CORPUS names a directory holding manifest.tsv (file, tab, fetch URL per line)
// and the files, e.g. every page a simulator run serves.
func TestEquivalenceCorpus(t *testing.T) {
	pages, urls := corpusPages(t, 0)
	for i, data := range pages {
		checkSame(t, data, urls[i], true)
		for _, m := range mutants(data) {
			checkSame(t, m, urls[i], false)
		}
	}
	t.Logf("%d pages", len(pages))
}

// corpusPages reads EXTRACT_CORPUS (at most max pages when max > 0), skipping the test or
// benchmark when it is not set.
func corpusPages(t testing.TB, max int) (pages [][]byte, urls []string) {
	t.Helper()
	dir := os.Getenv("EXTRACT_CORPUS")
	if dir == "" {
		t.Skip("EXTRACT_CORPUS not set")
	}
	f, err := os.Open(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan() && (max <= 0 || len(pages) < max); {
		file, u, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "pages", file))
		if err != nil {
			t.Fatal(err)
		}
		pages, urls = append(pages, data), append(urls, u)
	}
	return pages, urls
}

// mutants are damaged copies of a page: cut short, tags and attributes renamed, removed or
// doubled, nesting broken. Each rewrite aims at a lookup the extractors make.
func mutants(data []byte) [][]byte {
	var out [][]byte
	for i := 1; i < 8; i++ {
		out = append(out, data[:len(data)*i/8])
	}
	s := string(data)
	for _, r := range [][]string{
		{"<article", "<section", "</article>", "</section>"},
		{"article__text", "article__txt"},
		{"<div class=\"article__text", "<span class=\"article__text"},
		{"article__breadcrumb_active", "article__breadcrumb"},
		{"<i>", "", "</i>", ""},
		{"<a ", "<b ", "</a>", "</b>"},
		{"<time", "<span", "</time>", "</span>"},
		{"datetime=", "data-time="},
		{"<h1", "<h2", "</h1>", "</h2>"},
		{"class=\"", "class=\" x\t", "class=", "class=\n"},
		{"property=", "name=", "name=", "property="},
		{"<meta ", "<meta property=\"og:image\" content=\"/img/blank.gif?x\" "},
		{"<link ", "<link rel=\"alternate canonical\" hreflang=\"xx\" "},
		{"data-src=", "src=\"\" data-src="},
		{"src=", "data-src=\" \" src="},
		{"source-link", "source-link article__time"},
		{"article__source", "article__source article__breadcrumb_active"},
		{"</div>", ""},
		{"</head>", "</head><body><article><div class=article__text><p>early</p></div></article>"},
		{"<body>", "<body><frameset>"},
		{"<head>", "<head><template><div class=\"article__text\"><time datetime=\"2024-05-01\">x</time></div></template>"},
		{"<html", "<svg><html lang=zz amp><title>svg title</title></html></svg><html"},
		{"<body>", "<body class=\"article__time\"><span class=\"article__breadcrumb_active\"><a><i> crumb </i></a></span>"},
		{"<h1", "<article><div class=\"article__text\">nested</div></article><h1"},
		{"<", "<\x00", ">", "\x00>"},
		{"\n", ""},
	} {
		if m := strings.NewReplacer(r...).Replace(s); m != s {
			out = append(out, []byte(m))
		}
	}
	return out
}

// FuzzTemplateEquivalence holds Page, Any, Generic and PublishedTime to their reference on
// arbitrary input. Generic and Any run only on short inputs, where readability stays fast
// enough for the fuzzer to make progress:
// `go test -run XXX -fuzz FuzzTemplateEquivalence -fuzztime 2m ./extract`.
func FuzzTemplateEquivalence(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, u := range otherURLs[2:] {
			f.Add(data, u)
		}
		for _, m := range mutants(data)[7:] {
			f.Add(m, otherURLs[2])
		}
	}
	for _, s := range []string{
		`<html amp><link rel=canonical href=/x><article><div class=article__text><p>a</p></div><time>01.05.2024, 10:00</time></article>`,
		`<meta name=og:title content=" T "><meta property=og:image content=//x/img/20240501/3f2a9c0d5b7e41a68c9d0e1f2a3b4c5d.jpg><body><h1>T</h1><p>T</p>`,
		`<head><base href="https://pravda-jp.com/a/"><link rel="alternate" hreflang=EN href=b><link rel="alternate" hreflang=en href=b></head><article><img data-src=c><amp-img src=d></article>`,
		`<div class="article__breadcrumb">a</div><div class="article__breadcrumb">b</div><span class=source-link data-source-url=x>s</span><div class=article__source>Source: <a href=/y>y</a></div>`,
		`<meta itemprop=datePublished content=2024-05-01T10:00:00Z><time datetime=bad></time><main><time datetime="2024-05-01 10:00">`,
		`<frameset><frame></frameset>`,
		"<p>\xff\xfe <time datetime=\"2024-99-99\">99.99.9999</time>",
	} {
		f.Add([]byte(s), otherURLs[2])
	}
	f.Fuzz(func(t *testing.T, data []byte, pageURL string) {
		checkSame(t, data, pageURL, len(data) < 2048)
	})
}

// helperSeeds are strings aimed at the fast paths of the text helpers and at the visible
// time grammar.
var helperSeeds = []string{
	"", " ", "  ", "a b", "a  b", " a ", "a\tb", "a\nb", "日本\n語", "日本 語", "a\u00a0b", "a\u3000b",
	"\u200bx\u200b", "x \ufe0fy", "x\u3000\ufe0f", "\ufeffx", "\xffx", "x\xed\xa0\x80", "\ufffd",
	"e\u0301", "ﬁ", "01.05.2024, 10:00", "1.5.2024 9:05", "01.05.2024,,,, 10:00", "01.05.2024,,,,, 10:00",
	"123.05.2024", "01.05.20245", "01.05.2024 10:0", "01.05.2024 100:00", "x 31.12.1999\t\f23:59 y",
	"10:00", "9:05", "10:00 ", "100:00", "1:5", "01.05.2024\v10:00", "1.1.1.1.2024",
	"ad", " ads ", "x\u00a0ad", "AD\u2003adv", "news-item sidebar", "article__title\vx", "Display: None",
	"\u0085article-meta\u0085", "TRUE ", "x\xffad ad",
	"<p>a<br>b<br><br>c</p><div> \n </div><pre> x\n\n y </pre><td>1</td><td>2</td>",
	"<div class=article__title>t</div><p>\ufeff \u200b\n\n</p><p hidden>h</p><aside>s</aside><h1>h</h1>x\n\ty",
}

func TestEquivalenceHelpers(t *testing.T) {
	for _, s := range helperSeeds {
		checkHelpers(t, s)
	}
}

func FuzzHelperEquivalence(f *testing.F) {
	for _, s := range helperSeeds {
		f.Add(s)
	}
	f.Fuzz(checkHelpers)
}

func checkHelpers(t *testing.T, s string) {
	if got, want := collapseSpace(s), refCollapseSpace(s); got != want {
		t.Fatalf("collapseSpace(%q) = %q, reference %q", s, got, want)
	}
	if got, want := cleanLine(s), refCleanLine(s); got != want {
		t.Fatalf("cleanLine(%q) = %q, reference %q", s, got, want)
	}
	if got, want := string(appendCollapsed([]byte("x"), s)), "x"+refCollapseSpace(s); got != want {
		t.Fatalf("appendCollapsed(x, %q) = %q, reference %q", s, got, want)
	}
	// s as markup too: the text walk over the tree it parses to.
	if doc, err := html.Parse(strings.NewReader(s)); err == nil {
		for _, skip := range []struct {
			now, ref func(*html.Node) bool
		}{{nil, nil}, {templateParts, refTemplateParts}, {templateChrome, refTemplateChrome}} {
			if got, want := paragraphs(doc, skip.now), refParagraphs(doc, skip.ref); !reflect.DeepEqual(got, want) {
				t.Fatalf("paragraphs(%q) = %q, reference %q", s, got, want)
			}
		}
	}
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, moscow())
	for _, d := range []time.Time{{}, day} {
		gt, gok := parseShown(s, d)
		wt, wok := refParseShown(s, d)
		if gok != wok || !reflect.DeepEqual(gt, wt) {
			t.Fatalf("parseShown(%q, %v) = %v %v, reference %v %v", s, d, gt, gok, wt, wok)
		}
	}
	for _, key := range []string{"class", "id", "style", "aria-hidden", "hidden"} {
		for _, tag := range []string{"div", "aside", "amp-ad", "script"} {
			n := &html.Node{Type: html.ElementNode, Data: tag, DataAtom: atom.Lookup([]byte(tag)),
				Attr: []html.Attribute{{Key: "lang", Val: s}, {Key: key, Val: s}}}
			if got, want := boilerplate(n), refBoilerplate(n); got != want {
				t.Fatalf("boilerplate(<%s %s=%q>) = %v, reference %v", tag, key, s, got, want)
			}
			if got, want := templateParts(n), refTemplateParts(n); got != want {
				t.Fatalf("templateParts(<%s %s=%q>) = %v, reference %v", tag, key, s, got, want)
			}
		}
	}
	paras := []string{s, "rest"}
	for _, titles := range [][]string{{s, s}, {"", s}, {"x", s, s}, {s + "!", ""}} {
		if got, want := dropHeadline(paras, titles...), refDropHeadline(paras, titles...); !reflect.DeepEqual(got, want) {
			t.Fatalf("dropHeadline(%q, %q) = %q, reference %q", paras, titles, got, want)
		}
	}
}

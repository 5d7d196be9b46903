package extract

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// simPage is a page the project's simulator serves: the network template with the sidebar
// and footer real pages carry after the article.
var simPage = fixture{"sim-abkhazia.html", "https://abkhazia.news-pravda.com/russia/2026/12/02/1462720.html"}

// pageWhole is Page as it was before the cut: the whole page parsed.
func pageWhole(data []byte, pageURL string) (*Article, error) {
	doc, warnings, err := load(data)
	if err != nil {
		return nil, err
	}
	a := fromTemplate(scanDoc(doc), pageURL, nil)
	a.Warnings = append(warnings, a.Warnings...)
	return a, nil
}

// pageNaive is Page cut at the last </article> with no check at all: what the checks
// protect against.
func pageNaive(data []byte, pageURL string) *Article {
	if cut := articleEnd(data); cut >= 0 {
		data = data[:cut]
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	return fromTemplate(scanDoc(doc), pageURL, nil)
}

// checkCut fails unless Page gives exactly what parsing the whole page gives.
func checkCut(t *testing.T, data []byte, pageURL string) {
	t.Helper()
	got, gerr := Page(data, pageURL, nil)
	want, werr := pageWhole(data, pageURL)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("error %v, whole-page parse %v", gerr, werr)
	}
	if gerr != nil {
		return
	}
	if !reflect.DeepEqual(got, want) || !got.Published.Equal(want.Published) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("cut page differs from the whole page\ngot  %s\nwant %s\ninput %q", g, w, clip(string(data)))
	}
}

// The cut must be taken on the pages it is for, or it saves nothing.
func TestCutTaken(t *testing.T) {
	for _, f := range []fixture{simPage, japanPage, japanAMP, francaisPage} {
		data := f.read(t)
		doc := parseArticle(data)
		if doc == nil {
			t.Fatalf("%s: not cut", f.file)
		}
		if n := firstUnder(doc, func(n *html.Node) bool { return n.Data == "aside" || n.Data == "footer" }); n != nil {
			t.Errorf("%s: the cut tree still has the <%s> after the article", f.file, n.Data)
		}
		if n := firstUnder(doc, func(n *html.Node) bool { return n.Data == probeName }); n != nil {
			t.Errorf("%s: the probe is left in the tree", f.file)
		}
		checkCut(t, data, f.url)
	}
}

// cutHazards are pages on which cutting at the last </article> without the checks gives a
// different record: each aims at one way the bytes after the cut, or the parser's state at
// it, reach what the extractor reads.
var cutHazards = []struct{ name, page string }{
	{"crumb class in the tail",
		`<body><article><div class="article__breadcrumb">a</div><div class=article__text><p>x</p></div></article><div class="article__breadcrumb">tail crumb</div>`},
	{"crumb class spelled with a character reference",
		`<body><article><div class="article__breadcrumb">a</div><div class=article__text><p>x</p></div></article><div class="&#97;rticle__breadcrumb">tail crumb</div>`},
	{"second article with the body",
		`<body><article><h1>first</h1></article><article><div class=article__text><p>second</p></div>`},
	{"html attributes merged",
		`<html lang=ja><body><article><div class=article__text><p>x</p></div></article><html amp lang=en>`},
	{"body attributes merged",
		`<body><article><div class=article__text><p>x</p></div><a href=/c><i>cat</i></a></article><body class=article__breadcrumb_active>`},
	{"frameset drops the body",
		`<article><div class=article__text></div></article><frameset><frame></frameset>`},
	{"meta after the html element",
		`<body><article><div class=article__text><p>x</p></div></article></body></html><meta property="og:title" content="late title">`},
	{"canonical after the article",
		`<body><article><div class=article__text><p>x</p></div></article><link rel=canonical href="https://japan.news-pravda.com/world/2024/05/01/4.html">`},
	{"title after the article",
		`<body><article><div class=article__text><p>x</p></div></article><title>late</title>`},
	{"source span after the article",
		`<body><article><div class=article__text><p>x</p></div></article><span class="source-link" data-source-url="https://t.me/a/1">late</span>`},
	{"unclosed formatting element re-cloned after the cut",
		`<body><article><div class="article__breadcrumb">a</div><div class=article__text><p>x <a href="https://x.example/1" class="article__breadcrumb">link</div></article><p>tail</p>`},
	{"formatting element open around the article",
		`<body><b class="article__breadcrumb"><div><article><div class=article__text><p>x</p></div></article></b><p>tail</p>`},
	{"article inside a table cell",
		`<body><article><div class=article__text><table><tr><td><p>x</p></article><p>more body text</p></td></tr></table></div>`},
	{"stray end tag, no article element",
		`<body><h1>t</h1><p>x</p></article><p>tail</p>`},
	{"end tag in a comment",
		`<body><article><div class=article__text><p>a</p><!-- </article> --><p>b</p></div>`},
	{"end tag in a script",
		`<body><article><div class=article__text><p>a</p><script>var s = "</article>";</script><p>b</p></div>`},
	{"end tag in an attribute",
		`<body><article><div class=article__text><p>a</p><p title="</article>">b</p></div>`},
	{"end tag in foreign content",
		`<body><article><div class=article__text><p>a</p><svg><article></article><p>b</p></div>`},
	{"crumb container open at the cut",
		`<body><div class="article__breadcrumb_active"><article><div class=article__text><p>x</p></div></article><a><i>tail</i></a></div>`},
	{"tail nested past the parser's limit",
		`<body><article><div class=article__text><p>x</p></div></article>` + strings.Repeat("<div>", 520)},
}

func TestCutHazards(t *testing.T) {
	const u = "https://japan.news-pravda.com/world/2024/05/01/12345.html"
	for _, h := range cutHazards {
		t.Run(h.name, func(t *testing.T) {
			data := []byte(h.page)
			want, err := pageWhole(data, u)
			if err != nil {
				t.Fatal(err)
			}
			if naive := pageNaive(data, u); reflect.DeepEqual(naive, want) {
				t.Fatalf("not a hazard: the unchecked cut gives the same record")
			}
			if parseArticle(data) != nil {
				t.Errorf("cut taken")
			}
			checkCut(t, data, u)
		})
	}
}

// Pages the checks must still cut: what network pages put after the article.
func TestCutAccepts(t *testing.T) {
	const head = `<!DOCTYPE html><html lang=ja><head><title>t</title></head><body><main><div class=wrap><article><h1>t</h1><div class=article__text><p>x</p></div></article>`
	for _, tail := range []string{
		``,
		`</div></main></body></html>`,
		`<aside class=sidebar><div class=news-item><a href="/a/2024/05/01/1.html"><img data-src="/img/20240501/aa.jpg"></a><div class=news-item__time>09:40</div></div></aside>`,
		`<footer>© 2024 &amp; l&#39;AFP &quot;x&quot; & more</footer><script>var a = 1 < 2 && b;</script>`,
		`<!-- a comment --><p><b>bold <i>unclosed`,
		`</body></html>  <!-- after -->`,
	} {
		data := []byte(head + tail)
		if parseArticle(data) == nil {
			t.Errorf("not cut with tail %q", tail)
		}
		checkCut(t, data, "https://japan.news-pravda.com/world/2024/05/01/12345.html")
	}
}

// TestCutEquivalence holds the cut to the whole parse on every fixture and its damaged
// copies; TestEquivalenceCorpus and FuzzTemplateEquivalence hold Page to the goquery
// reference, which parses whole pages, as well.
func TestCutEquivalence(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range append(mutants(data), data) {
			for _, tail := range cutTails {
				checkCut(t, append(bytes.Clone(m), tail...), simPage.url)
			}
		}
	}
}

// cutTails are appended to pages to move the cut or spoil it.
var cutTails = []string{
	"",
	"</article>",
	"</article><aside><div class=news-item><a href=/x>x</a></div></aside>",
	"</ARTICLE >",
	"</article><b>",
	"</article></b></i></a></div></main>",
	"</article><table><tr><td>x",
	"</article><svg><title>x</title></svg>",
	"</article><p>x</article >",
	"</article>&#97;rticle",
	"</article><div class=\"&#x61;rticle__breadcrumb\">z</div>",
	"</article><body><frameset>",
	"</article><template><div>x",
	"</article><![CDATA[ x ]]>",
	"</article><plaintext><meta property=og:title content=y>",
}

// FuzzCut holds the cut to the whole parse on arbitrary pages, and on fixture pages cut at
// their article's end with an arbitrary tail, which reaches the cut far more often:
// `go test -run XXX -fuzz FuzzCut -fuzztime 5m ./extract`.
func FuzzCut(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	var heads [][]byte
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if cut := articleEnd(data); cut >= 0 {
			heads = append(heads, data[:cut])
			f.Add(data[cut:], uint8(len(heads)-1), false)
		}
		f.Add(data, uint8(0), true)
	}
	for _, h := range cutHazards {
		f.Add([]byte(h.page), uint8(0), true)
	}
	for _, tail := range cutTails {
		f.Add([]byte(tail), uint8(0), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, head uint8, whole bool) {
		if !whole {
			data = append(bytes.Clone(heads[int(head)%len(heads)]), data...)
		}
		checkCut(t, data, simPage.url)
	})
}

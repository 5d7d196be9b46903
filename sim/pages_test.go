package sim

import (
	"bytes"
	"image/jpeg"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pravda-archive/pravda/seeds"
)

// articleText reads the body paragraphs the way template.md describes them: paragraphs of
// div.article__text, without image-only ones and without the Japanese headline repeat.
func articleText(doc *goquery.Document, title string) (paras []string, quirk bool) {
	doc.Find("div.article__text p").Each(func(i int, p *goquery.Selection) {
		s := strings.TrimSpace(p.Text())
		if s == "" {
			return
		}
		if i == 0 && strings.HasPrefix(s, "\uFE0F") && strings.TrimPrefix(s, "\uFE0F") == title {
			quirk = true
			return
		}
		paras = append(paras, s)
	})
	return paras, quirk
}

func imageMD5s(t *testing.T, doc *goquery.Document, pageURL string) []string {
	var out []string
	add := func(u string) {
		if u == "" {
			return
		}
		im, err := seeds.ParseImageURL(absolute(t, pageURL, u))
		if err != nil {
			return
		}
		if !slices.Contains(out, im.MD5) {
			out = append(out, im.MD5)
		}
	}
	add(doc.Find(`meta[property="og:image"]`).AttrOr("content", ""))
	doc.Find("article img, article amp-img").Each(func(_ int, s *goquery.Selection) {
		add(s.AttrOr("data-src", ""))
		add(s.AttrOr("src", ""))
	})
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestArticlePagesMatchTruth reads every article through the documented selectors and
// compares what it finds with the ground truth.
func TestArticlePagesMatchTruth(t *testing.T) {
	n := newNet(t, Config{Seed: 7})
	reg := seeds.Default()
	var withAttr, withoutAttr, quirks, credited, uncredited, alternated int
	for _, tr := range n.Truth() {
		res := get(t, n, tr.URL)
		if res.code != 200 {
			t.Fatalf("%s: status %d", tr.URL, res.code)
		}
		doc := res.doc(t)
		site, _ := reg.Site(tr.Site)
		check := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s %s: got %q, want %q", tr.Key, what, got, want)
			}
		}
		check("html lang", doc.Find("html").AttrOr("lang", ""), tr.Lang)
		check("<title>", doc.Find("title").Text(), tr.Title+" - "+site.Display)
		check("h1", doc.Find("article h1.article__title").Text(), tr.Title)
		check("og:title", doc.Find(`meta[property="og:title"]`).AttrOr("content", ""), tr.Title)
		check("canonical", doc.Find(`link[rel="canonical"]`).AttrOr("href", ""), tr.CanonicalURL)
		check("og:url", doc.Find(`meta[property="og:url"]`).AttrOr("content", ""), tr.CanonicalURL)
		check("category", doc.Find("div.article__breadcrumb.article__breadcrumb_active a i").Text(), tr.CategoryLabel)

		tm := doc.Find("div.article__time > time")
		if dt, ok := tm.Attr("datetime"); ok {
			withAttr++
			got, err := time.Parse(time.RFC3339, dt)
			if err != nil || !got.Equal(tr.Published) {
				t.Errorf("%s: datetime %q, want %v", tr.Key, dt, tr.Published)
			}
		} else {
			withoutAttr++
		}
		if got, err := time.ParseInLocation("02.01.2006, 15:04", tm.Text(), msk); err != nil || !got.Equal(tr.Published) {
			t.Errorf("%s: time text %q, want %v", tr.Key, tm.Text(), tr.Published)
		}

		link := doc.Find("span.article-meta__item.source-link[data-source-url]")
		src := doc.Find("div.article__source a")
		if tr.Credited {
			credited++
			check("source-link", link.AttrOr("data-source-url", ""), tr.CreditURL)
			check("article__source href", src.AttrOr("href", ""), tr.CreditURL)
			check("source text", link.Text(), tr.CreditText)
			if tr.CreditKind == "telegram_post" && !strings.HasPrefix(tr.CreditText, `Telegram "`) {
				t.Errorf("%s: telegram credit text %q", tr.Key, tr.CreditText)
			}
		} else {
			uncredited++
			if link.Length()+src.Length()+doc.Find("div.article__source").Length() != 0 {
				t.Errorf("%s: uncredited article has source markup", tr.Key)
			}
		}

		var alts []string
		doc.Find(`link[rel="alternate"][hreflang]`).Each(func(_ int, s *goquery.Selection) { alts = append(alts, s.AttrOr("href", "")) })
		if !sameSet(alts, tr.Alternates) {
			t.Errorf("%s: alternates %v, want %v", tr.Key, alts, tr.Alternates)
		}
		if len(alts) > 0 {
			alternated++
		}
		if got := imageMD5s(t, doc, tr.URL); !sameSet(got, tr.Images) {
			t.Errorf("%s: images %v, want %v", tr.Key, got, tr.Images)
		}
		paras, quirk := articleText(doc, tr.Title)
		if quirk {
			quirks++
			if tr.Lang != "ja" {
				t.Errorf("%s: headline-repeat quirk on a %s page", tr.Key, tr.Lang)
			}
		}
		check("text", strings.Join(paras, "\n\n"), tr.Text)
		if desc := doc.Find(`meta[property="og:description"]`).AttrOr("content", ""); desc == "" ||
			!strings.HasPrefix(strings.ReplaceAll(tr.Text, "\n\n", " "), strings.TrimSuffix(desc, "…")) {
			t.Errorf("%s: og:description %q is not the start of the text", tr.Key, desc)
		}
		// Off-scope links the crawler must not follow.
		if doc.Find(`a[href^="https://www.facebook.com/sharer"]`).Length() == 0 {
			t.Errorf("%s: no share link", tr.Key)
		}
	}
	if withAttr == 0 || withoutAttr == 0 {
		t.Errorf("time elements: %d with datetime=, %d without; want both", withAttr, withoutAttr)
	}
	if quirks == 0 || credited == 0 || uncredited == 0 || alternated == 0 {
		t.Errorf("quirks %d, credited %d, uncredited %d, with alternates %d: want all > 0", quirks, credited, uncredited, alternated)
	}
}

func TestAMPCopies(t *testing.T) {
	n := newNet(t, Config{Seed: 3})
	for i, tr := range n.Truth() {
		if i%7 != 0 {
			continue
		}
		ampURL := strings.TrimSuffix(tr.URL, ".html") + "-amp.html"
		res := get(t, n, ampURL)
		if res.code != 200 {
			t.Fatalf("%s: %d", ampURL, res.code)
		}
		doc := res.doc(t)
		if _, ok := doc.Find("html").Attr("amp"); !ok {
			t.Errorf("%s: no <html amp>", ampURL)
		}
		if got := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != tr.URL {
			t.Errorf("%s: canonical %q, want %q", ampURL, got, tr.URL)
		}
		if got := doc.Find("article h1.article__title").Text(); got != tr.Title {
			t.Errorf("%s: h1 %q", ampURL, got)
		}
		paras, _ := articleText(doc, tr.Title)
		if got := strings.Join(paras, "\n\n"); got != tr.Text {
			t.Errorf("%s: text differs from the canonical page", ampURL)
		}
		if got := imageMD5s(t, doc, ampURL); !sameSet(got, tr.Images) {
			t.Errorf("%s: images %v, want %v", ampURL, got, tr.Images)
		}
		plain := get(t, n, tr.URL).doc(t)
		if got := plain.Find(`link[rel="amphtml"]`).AttrOr("href", ""); got != ampURL {
			t.Errorf("%s: amphtml %q, want %q", tr.URL, got, ampURL)
		}
	}
}

func TestImagesAreJPEGs(t *testing.T) {
	n := newNet(t, Config{Seed: 5, Days: 1})
	fetched := 0
	for _, tr := range n.Truth()[:12] {
		doc := get(t, n, tr.URL).doc(t)
		urls := []string{doc.Find(`meta[property="og:image"]`).AttrOr("content", "")}
		doc.Find("article img[data-src]").Each(func(_ int, s *goquery.Selection) {
			urls = append(urls, absolute(t, tr.URL, s.AttrOr("data-src", "")))
		})
		for _, u := range urls {
			res := get(t, n, u)
			if res.code != 200 || res.header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("%s: %d %s", u, res.code, res.header.Get("Content-Type"))
			}
			if _, err := jpeg.Decode(bytes.NewReader(res.body)); err != nil {
				t.Fatalf("%s: not a JPEG: %v", u, err)
			}
			if len(res.body) > 2048 {
				t.Errorf("%s: %d bytes, want a small image", u, len(res.body))
			}
			fetched++
		}
		// The same file name on another date directory does not exist.
		wrong := strings.Replace(urls[0], "/img/", "/img/1", 1)
		if res := get(t, n, wrong); res.code != 404 {
			t.Errorf("%s: %d, want 404", wrong, res.code)
		}
	}
	if fetched < 24 {
		t.Errorf("only %d images fetched", fetched)
	}
	if res := get(t, n, "https://japan.news-pravda.com/img/blank.gif"); res.code != 200 || !bytes.HasPrefix(res.body, []byte("GIF89a")) {
		t.Errorf("blank.gif: %d", res.code)
	}
	if res := get(t, n, "https://japan.news-pravda.com/img/20250501/00000000000000000000000000000000.jpg"); res.code != 404 {
		t.Errorf("unknown image: %d, want 404", res.code)
	}
}

func TestTelegramPages(t *testing.T) {
	n := newNet(t, Config{Seed: 11})
	var roots, forwards int
	for _, tr := range n.Truth() {
		if tr.Origin.Kind != "telegram_post" || !tr.Credited || tr.CreditKind != "telegram_post" {
			continue
		}
		// The root post in its feed.
		ref := tr.Origin.Channel + "/" + itoa64(tr.Origin.Post)
		res := get(t, n, "https://t.me/s/"+ref)
		if res.code != 200 {
			t.Fatalf("%s: %d", ref, res.code)
		}
		msg := res.doc(t).Find(`.tgme_widget_message[data-post="` + ref + `"]`)
		if msg.Length() != 1 {
			t.Fatalf("t.me/s/%s: message not found", ref)
		}
		dt := msg.Find("a.tgme_widget_message_date time").AttrOr("datetime", "")
		if got, err := time.Parse(time.RFC3339, dt); err != nil || !got.Equal(tr.Origin.Time) {
			t.Errorf("%s: time %q, want %v", ref, dt, tr.Origin.Time)
		}
		if strings.TrimSpace(msg.Find(".tgme_widget_message_text").Text()) == "" {
			t.Errorf("%s: empty text", ref)
		}
		if msg.Find(".tgme_widget_message_forwarded_from").Length() != 0 {
			t.Errorf("%s: a root post shows a forward", ref)
		}
		roots++
		if len(tr.Chain) == 2 {
			// Credited post is a forward of the root.
			fwd := strings.TrimPrefix(tr.Chain[0], "https://t.me/")
			m := get(t, n, "https://t.me/s/"+fwd).doc(t).Find(`.tgme_widget_message[data-post="` + fwd + `"]`)
			if got := m.Find("a.tgme_widget_message_forwarded_from_name").AttrOr("href", ""); got != tr.Origin.URL {
				t.Errorf("%s: forwarded from %q, want %q", fwd, got, tr.Origin.URL)
			}
			forwards++
		}
		// The small page.
		small := get(t, n, tr.Origin.URL).doc(t)
		desc := small.Find(`meta[property="og:description"]`).AttrOr("content", "")
		if !strings.Contains(desc, "\n\n") || small.Find(`a[href="/s/`+ref+`"]`).Length() != 1 {
			t.Errorf("%s: small page lacks text or /s/ link (desc %q)", tr.Origin.URL, desc)
		}
	}
	if roots == 0 || forwards == 0 {
		t.Fatalf("roots %d, forwards %d: want both", roots, forwards)
	}
	// An unknown post shows the feed without it; an unknown channel is 404; telegram.me
	// redirects.
	res := get(t, n, "https://t.me/s/MID_Russia/999999999")
	if res.code != 200 || res.doc(t).Find(`[data-post="MID_Russia/999999999"]`).Length() != 0 ||
		res.doc(t).Find(".tgme_widget_message").Length() == 0 {
		t.Errorf("unknown post: %d, want the feed without it", res.code)
	}
	if res := get(t, n, "https://t.me/s/no_such_channel_x/1"); res.code != 404 {
		t.Errorf("unknown channel: %d", res.code)
	}
	if res := get(t, n, "https://telegram.me/MID_Russia/5"); res.code != 301 || res.header.Get("Location") != "https://t.me/MID_Russia/5" {
		t.Errorf("telegram.me: %d %s", res.code, res.header.Get("Location"))
	}
	if res := get(t, n, "https://t.me/share/url?url=x"); res.code != 404 {
		t.Errorf("t.me/share: %d, want 404", res.code)
	}
}

func TestOutletPages(t *testing.T) {
	n := newNet(t, Config{Seed: 13})
	seen := map[string]bool{}
	for _, tr := range n.Truth() {
		o := tr.Origin
		if o.Kind != "state_media" || seen[o.URL] {
			continue
		}
		seen[o.URL] = true
		res := get(t, n, o.URL)
		if res.code != 200 {
			t.Fatalf("%s: %d", o.URL, res.code)
		}
		doc := res.doc(t)
		pt := doc.Find(`meta[property="article:published_time"]`).AttrOr("content", "")
		if got, err := time.Parse(time.RFC3339, pt); err != nil || !got.Equal(o.Time) {
			t.Errorf("%s: published_time %q, want %v", o.URL, pt, o.Time)
		}
		h1 := doc.Find("h1").Text()
		if h1 == "" || doc.Find(`meta[property="og:title"]`).AttrOr("content", "") != h1 {
			t.Errorf("%s: h1 %q and og:title disagree", o.URL, h1)
		}
		if doc.Find("article p, div.article__text p").Length() < 2 {
			t.Errorf("%s: too few body paragraphs", o.URL)
		}
		lang := doc.Find("html").AttrOr("lang", "")
		if strings.Contains(o.URL, "rt.com") && lang != "en" || strings.Contains(o.URL, "tass.ru") && lang != "ru" {
			t.Errorf("%s: lang %q", o.URL, lang)
		}
		if !seeds.Default().InScope(hostOfURL(o.URL)) {
			t.Errorf("%s: outlet host not in the registry", o.URL)
		}
	}
	if len(seen) < 5 {
		t.Fatalf("only %d outlet origins", len(seen))
	}
}

// Config.Pad makes every article page at least that big, with the article itself intact:
// the padding is a comment after it.
func TestPaddedPages(t *testing.T) {
	const pad = 256 << 10
	n := newNet(t, Config{Seed: 4, PerDay: 3, Pad: pad})
	tr := n.Truth()
	if len(tr) == 0 {
		t.Fatal("no articles")
	}
	for _, a := range tr[:min(5, len(tr))] {
		res := get(t, n, a.URL, "Accept-Encoding", "gzip")
		if res.code != 200 || len(res.body) != pad || res.header.Get("Content-Length") != strconv.Itoa(pad) {
			t.Fatalf("%s: %d, %d bytes (Content-Length %q), want %d", a.URL, res.code, len(res.body), res.header.Get("Content-Length"), pad)
		}
		if got := res.doc(t).Find("h1.article__title").Text(); got != a.Title {
			t.Errorf("%s: title %q, want %q", a.URL, got, a.Title)
		}
	}
	if _, err := New(Config{Pad: oversizeSize + 1}); err == nil {
		t.Error("a pad over the oversize page's 20 MiB was accepted")
	}
}

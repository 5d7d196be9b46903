package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s: must not contain %q", what, b)
		}
	}
}

func TestSearchPage(t *testing.T) {
	w := testWorld(t)
	status, h, body := get(t, w.ts.URL, "/?q="+url.QueryEscape("外務省"))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("app CSP %q", csp)
	}
	mustContain(t, "search page", body,
		`<html lang="en">`,
		`value="外務省"`,
		"3 articles",
		`<mark>外務省</mark>`,
		`href="/articles/japan/101"`,
		`<svg class="chart"`, // the timeline
		`href="/api/v1/export?format=csv&amp;q=`,
		`format=jsonl`,
		`href="/?q=%E5%A4%96%E5%8B%99%E7%9C%81&amp;site=japan"`, // a facet link
		`lang="ja"`,
	)
	// The hostile title and snippet are escaped, not markup.
	mustContain(t, "search page", body, "&lt;script&gt;top.document.title=", "&lt;img src=x onerror=")
	mustNotContain(t, "search page", body, "<script>top", "<img src=x")
	if n := strings.Count(body, "<script"); n != 0 {
		t.Errorf("%d script elements on the search page", n)
	}

	// With nothing asked, the front page shows the newest week.
	_, _, body = get(t, w.ts.URL, "/")
	mustContain(t, "front page", body, "The newest articles, published 2025-03-05 – 2025-03-11", "6 articles")

	// Paging links carry the cursor.
	_, _, body = get(t, w.ts.URL, "/?size=2")
	m := regexp.MustCompile(`<a rel="next" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no next link on a first page of 2")
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	status, _, body2 := get(t, w.ts.URL, next)
	if status != 200 || body2 == body || !strings.Contains(body2, `rel="next"`) {
		t.Errorf("next page: %d", status)
	}

	// A selected facet shows as checked and links back to the page without it.
	_, _, body = get(t, w.ts.URL, "/?site=canada/fr")
	mustContain(t, "facet page", body, `class="on" aria-current="true"`, `checked`, `href="/"`, `name="site" value="canada/fr"`)
}

func TestSearchPageErrors(t *testing.T) {
	w := testWorld(t)
	status, _, body := get(t, w.ts.URL, "/?q="+url.QueryEscape(`ロシア "外務省`))
	if status != 400 {
		t.Errorf("malformed query: status %d, want 400", status)
	}
	mustContain(t, "malformed query", body, `role="alert"`, "query: at character 5", `<pre class="caret">ロシア <mark>&#34;</mark>外務省</pre>`)

	status, _, body = get(t, w.ts.URL, "/?from=03/10/2025")
	if status != 400 || !strings.Contains(body, "want a day") {
		t.Errorf("bad date: %d", status)
	}
	status, _, body = get(t, w.ts.URL, "/?q="+url.QueryEscape("<script>alert(1)</script> OR"))
	if status != 400 || strings.Contains(body, "<script>alert") {
		t.Errorf("hostile malformed query: %d, escaped: %v", status, !strings.Contains(body, "<script>alert"))
	}
}

func TestArticlePage(t *testing.T) {
	w := testWorld(t)
	status, _, body := get(t, w.ts.URL, "/articles/japan/101")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	v2 := w.caps[url101]
	mustContain(t, "article page", body,
		`<html lang="ja">`,
		`<h1 lang="ja">ザハロワ報道官の会見</h1>`,
		`<section class="text" lang="ja">`,
		"<p>追加の段落。</p>",
		`<header class="top" lang="en">`,
		// The origin chain with its evidence, lag and capture.
		"data-source-url on the article capture", "30 min", `href="/origins/channel/rusembjp"`,
		capturePath(w.caps[tgPostURL].File, w.caps[tgPostURL].Offset),
		"Lag from the origin to this article: <strong>30 min</strong>",
		// The sister editions of the story.
		`href="/articles/francais/201"`, `href="/articles/canada/fr/301"`, "Le ministère russe critique Tokyo",
		// The versions with a word diff: 強く was added, a paragraph too.
		"Versions (2)", "<ins>強く</ins>", "<ins>", "追加の段落",
		// The capture, in a sandboxed frame.
		`<iframe class="replay" sandbox src="`+capturePath(v2.File, v2.Offset)+`"`,
	)
	if n := strings.Count(body, "<del>"); n != 1 { // the legend's
		t.Errorf("the edit removed nothing, but the page shows %d deletions", n-1)
	}

	_, _, body = get(t, w.ts.URL, "/articles/japan/102")
	mustContain(t, "hostile article", body, "&lt;script&gt;top.document.title=&#39;pwned-title&#39;&lt;/script&gt;危険な見出し",
		"&lt;b onmouseover=")
	mustNotContain(t, "hostile article", body, "<script>top", `<b onmouseover`, "<img src=x")

	status, _, body = get(t, w.ts.URL, "/articles/canada/fr/301")
	if status != 200 || !strings.Contains(body, `<html lang="fr">`) {
		t.Errorf("edition article: %d", status)
	}
}

func TestNotFoundPages(t *testing.T) {
	w := testWorld(t)
	for _, p := range []string{"/articles/japan/999", "/articles/japan/x", "/articles/", "/articles/nowhere/1",
		"/origins/channel/nobody_at_all", "/origins/x/y", "/sites/nowhere", "/stories/424242", "/stories/abc",
		"/reports/2025-01-01.html", "/reports/../catalog.db", "/reports/notes.txt", "/static/none.css", "/no/such/page"} {
		status, h, body := get(t, w.ts.URL, p)
		if status != 404 {
			t.Errorf("%s: status %d, want 404", p, status)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "404 Not Found") {
			t.Errorf("%s: not the 404 page: %s", p, h.Get("Content-Type"))
		}
	}
}

func TestOriginPage(t *testing.T) {
	w := testWorld(t)
	status, _, body := get(t, w.ts.URL, "/origins/channel/rusembjp?from=2025-03-10&to=2025-03-11")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, "origin page", body, "Telegram channel rusembjp", "Russian Embassy in Japan", "<strong>3</strong>",
		`<svg class="chart"`, `<svg class="chart bars"`, "Median", `href="/?channel=rusembjp"`, `href="/articles/japan/101"`)
	status, _, body = get(t, w.ts.URL, "/origins/outlet/tass?from=2025-03-10&to=2025-03-11")
	if status != 200 || !strings.Contains(body, "Outlet tass") || !strings.Contains(body, "TASS") {
		t.Errorf("outlet page %d", status)
	}
}

func TestSitePage(t *testing.T) {
	w := testWorld(t)
	status, _, body := get(t, w.ts.URL, "/sites/japan")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, "site page", body, "Pravda Nihon", "japan.news-pravda.com", "<strong>3</strong>", `<svg class="chart"`,
		`href="/origins/channel/rusembjp"`, `href="/origins/outlet/tass"`, `href="/articles/japan/103"`)
	// An edition unknown to the seeds is still a site of the archive.
	status, _, body = get(t, w.ts.URL, "/sites/canada/fr")
	if status != 200 || !strings.Contains(body, "<strong>1</strong>") {
		t.Errorf("edition site page: %d", status)
	}
}

func TestStoryPage(t *testing.T) {
	w := testWorld(t)
	status, _, body := get(t, w.ts.URL, "/stories/"+itoa(w.storyID))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, "story page", body, "3 editions", `href="/articles/canada/fr/301"`, `<td lang="fr">`, "30 min")
}

func TestReports(t *testing.T) {
	w := testWorld(t)
	_, _, body := get(t, w.ts.URL, "/reports/")
	mustContain(t, "reports", body, `href="/reports/2025-03-10.html"`, `href="/reports/2025-03-10.json"`, `href="/reports/2025-03-11.csv"`)
	mustNotContain(t, "reports", body, "notes.txt")
	if strings.Index(body, "2025-03-11") > strings.Index(body, "2025-03-10") {
		t.Error("reports not newest first")
	}
	status, h, body := get(t, w.ts.URL, "/reports/2025-03-10.html")
	if status != 200 || h.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(body, "japan 2") {
		t.Errorf("report file: %d %s", status, h.Get("Content-Type"))
	}
	if csp := h.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox;") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("report CSP %q", csp)
	}
	_, h, _ = get(t, w.ts.URL, "/reports/2025-03-11.csv")
	if h.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("csv report type %q", h.Get("Content-Type"))
	}
}

func TestStatic(t *testing.T) {
	w := testWorld(t)
	status, h, body := get(t, w.ts.URL, "/static/style.css")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/css") || !strings.Contains(body, "mark") {
		t.Errorf("style.css: %d %s", status, h.Get("Content-Type"))
	}
}

// An empty archive answers every page and endpoint: no 500 anywhere.
func TestEmptyArchive(t *testing.T) {
	for _, withIndex := range []bool{false, true} {
		ts := emptyServer(t, withIndex)
		for _, tc := range []struct {
			path   string
			status int
			want   string
		}{
			{"/", 200, "The archive is empty"},
			{"/?q=" + url.QueryEscape("外務省"), 200, ""},
			{"/?q=" + url.QueryEscape(`"x`), 400, ""},
			{"/articles/japan/1", 404, "no article"},
			{"/origins/channel/rusembjp", 200, "Telegram channel rusembjp"},
			{"/origins/channel/unknown_one", 404, ""},
			{"/sites/japan", 200, "Pravda Nihon"},
			{"/sites/nowhere", 404, ""},
			{"/stories/1", 404, ""},
			{"/reports/", 200, "No reports yet"},
			{"/capture/test-20250101000000-00001.warc.gz/0", 404, ""},
			{"/capture/img?url=" + url.QueryEscape(imageURL), 404, ""},
			{"/api/v1/counts", 200, `"rows":[]`},
			{"/api/v1/counts?by=site", 200, `"rows":[]`},
			{"/api/v1/origins/channel/rusembjp", 200, `"articles":0`},
			{"/api/v1/articles/japan/1", 404, ""},
		} {
			status, _, body := get(t, ts.URL, tc.path)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("index %v: %s: %d, want %d with %q: %.300s", withIndex, tc.path, status, tc.status, tc.want, body)
			}
		}
		// Search needs the index.
		wantSearch := 503
		if withIndex {
			wantSearch = 200
		}
		for _, p := range []string{"/api/v1/search?q=x", "/api/v1/export?q=x", "/api/v1/counts?q=x"} {
			if status, _, body := get(t, ts.URL, p); status != wantSearch {
				t.Errorf("index %v: %s: %d, want %d: %s", withIndex, p, status, wantSearch, body)
			}
		}
		_, _, body := get(t, ts.URL, "/")
		if withIndex == strings.Contains(body, "No index yet") {
			t.Errorf("index %v: the no-index notice is wrong", withIndex)
		}
	}
}

// Without an index the catalog still answers: counts, origins (sampled from
// the catalog), articles and the timeline.
func TestNoIndex(t *testing.T) {
	w := testWorld(t)
	srv, err := New(Options{Catalog: w.cat, WARCDir: w.warcDir, Logger: w.srv.log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptestServer(t, srv)
	var o originReport
	getJSON(t, ts.URL, "/api/v1/origins/channel/rusembjp?from=2025-03-10&to=2025-03-11", 200, &o)
	if o.LagSource != "catalog" || o.Lag.Sample != 3 || o.Lag.Known != 2 || len(o.Recent) != 3 {
		t.Errorf("origin from the catalog: %s %+v", o.LagSource, o.Lag)
	}
	_, _, body := get(t, ts.URL, "/?site=japan")
	mustContain(t, "no-index search page", body, "No index yet", `<svg class="chart"`, "3 articles")
	if status, _, _ := get(t, ts.URL, "/articles/japan/101"); status != 200 {
		t.Errorf("article without index: %d", status)
	}
}

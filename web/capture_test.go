package web

import (
	"bytes"
	"image/jpeg"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestCaptureReplay(t *testing.T) {
	w := testWorld(t)
	c := w.caps[url102]
	status, h, body := get(t, w.ts.URL, capturePath(c.File, c.Offset))
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	if got := h.Get("Content-Security-Policy"); got != "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'" {
		t.Errorf("CSP %q", got)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("headers %v", h)
	}
	if h.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("X-Frame-Options %q", h.Get("X-Frame-Options"))
	}
	// The text is there; everything active is gone.
	mustContain(t, "replay", body, "ロシア外務省は日本政府を批判した。", "報道官は制裁について語った。", `<meta charset="utf-8"/>`,
		`src="/capture/img?url=`+url.QueryEscape(imageURL)+`"`, `title="link to https://t.me/rusembjp/5001"`, "背景", "表")
	low := strings.ToLower(body)
	for _, bad := range []string{"<script", "onerror", "onload", "onclick", "onbegin", "javascript:", "<iframe", "<object",
		"<embed", "<svg", "<math", "<form", "<input", "<meta http-equiv", "<base", "<link", "<video", "<noscript", "<template",
		"evil.example", "/api/v1/export", "@import", "url(", "href=", "srcdoc", "blank.gif", "<!--"} {
		if strings.Contains(low, bad) {
			t.Errorf("replay still holds %q", bad)
		}
	}
	checkInert(t, body)

	// The same holds for the ordinary article and the Telegram page.
	for _, u := range []string{url101, tgPostURL} {
		c := w.caps[u]
		_, _, body := get(t, w.ts.URL, capturePath(c.File, c.Offset))
		checkInert(t, body)
		if strings.Contains(body, "<script") {
			t.Errorf("%s: script in replay", u)
		}
	}
}

// checkInert parses a replayed page and checks the rewriting's invariants:
// only allowed attributes, images only from the archive.
func checkInert(t *testing.T, page string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Namespace != "" {
				t.Errorf("foreign element <%s:%s> survived", n.Namespace, n.Data)
			}
			if dropElements[n.DataAtom] && !(n.Data == "meta" && len(n.Attr) == 1 && n.Attr[0].Key == "charset") {
				t.Errorf("element <%s> survived", n.Data)
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "src" && n.Data == "img":
					if !strings.HasPrefix(a.Val, "/capture/img?url=") && !strings.HasPrefix(a.Val, "data:image/") {
						t.Errorf("img src %q", a.Val)
					}
				case a.Key == "charset" && n.Data == "meta":
				case a.Key == "style":
					checkCSS(t, a.Val)
				case !keepAttrs[a.Key]:
					t.Errorf("<%s %s=%q> survived", n.Data, a.Key, a.Val)
				}
			}
		}
		if n.Type == html.ElementNode && n.Data == "style" {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				checkCSS(t, c.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func checkCSS(t *testing.T, css string) {
	t.Helper()
	low := strings.ToLower(css)
	for _, bad := range []string{"url(", "@import", "\\", "expression", "javascript:", "image-set"} {
		if strings.Contains(low, bad) {
			t.Errorf("CSS holds %q: %q", bad, css)
		}
	}
}

func TestCaptureImage(t *testing.T) {
	w := testWorld(t)
	status, h, body := get(t, w.ts.URL, "/capture/img?url="+url.QueryEscape(imageURL))
	if status != 200 || h.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("image: %d %s", status, h.Get("Content-Type"))
	}
	if !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox;") {
		t.Errorf("image CSP %q", h.Get("Content-Security-Policy"))
	}
	if _, err := jpeg.Decode(bytes.NewReader([]byte(body))); err != nil {
		t.Errorf("not the archived JPEG: %v", err)
	}
	// Only archived images: a page, or an image never fetched, is not served.
	for _, u := range []string{url101, "http://japan.news-pravda.com/img/blank.gif", "https://evil.example/tracker.gif", ""} {
		if status, _, _ := get(t, w.ts.URL, "/capture/img?url="+url.QueryEscape(u)); status == 200 {
			t.Errorf("%q served as an image", u)
		}
	}
	// Straight replay of the image record serves it as an image too.
	c := w.caps[imageURL]
	if status, h, _ := get(t, w.ts.URL, capturePath(c.File, c.Offset)); status != 200 || h.Get("Content-Type") != "image/jpeg" {
		t.Errorf("image record replay: %d %s", status, h.Get("Content-Type"))
	}
}

func TestCaptureText(t *testing.T) {
	w := testWorld(t)
	c := w.caps["http://japan.news-pravda.com/data.json"]
	status, h, body := get(t, w.ts.URL, capturePath(c.File, c.Offset))
	if status != 200 || h.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.Contains(body, "<script>") {
		t.Errorf("json replay: %d %s %q", status, h.Get("Content-Type"), body)
	}
}

func TestCaptureRaw(t *testing.T) {
	w := testWorld(t)
	c := w.caps[url102]
	status, h, body := get(t, w.ts.URL, capturePath(c.File, c.Offset)+"/raw")
	if status != 200 || h.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("raw: %d %s", status, h.Get("Content-Type"))
	}
	if !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox;") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("raw headers %v", h)
	}
	mustContain(t, "raw", body, "WARC-Type: response", "WARC-Target-URI: "+url102, "WARC-Payload-Digest: "+c.PayloadDigest,
		"WARC-Block-Digest: sha1:", "HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8", "# Payload:")
	if strings.Contains(body, "ロシア外務省") {
		t.Error("the raw view holds the payload; it shows headers only")
	}
}

func TestCaptureBadRequests(t *testing.T) {
	w := testWorld(t)
	c := w.caps[url101]
	for _, p := range []string{
		"/capture/" + url.PathEscape("../catalog.db") + "/0",
		"/capture/.lock/0",
		"/capture/" + strings.TrimSuffix(c.File, ".warc.gz") + ".cdxj/0",
		"/capture/" + c.File + "/-1",
		"/capture/" + c.File + "/abc",
		"/capture/" + c.File + "/" + itoa(c.Offset+7), // inside a record
		"/capture/" + c.File + "/99999999",            // past the end
		"/capture/" + c.File + "/0",                   // the warcinfo record
		"/capture/test-20990101000000-00009.warc.gz/0",
		"/capture/" + c.File + "/" + itoa(c.Offset+7) + "/raw",
	} {
		status, h, body := get(t, w.ts.URL, p)
		if status != 404 {
			t.Errorf("%s: %d, want 404: %s", p, status, body)
		}
		if !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox;") {
			t.Errorf("%s: error without the capture CSP", p)
		}
	}
}

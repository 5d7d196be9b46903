package archive

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gocolly/colly/v2"
)

// TestColly plugs the transport into colly as the crawler does and checks
// that callbacks see decoded bodies and the capture location.
func TestColly(t *testing.T) {
	page := bytes.Repeat([]byte("<p>ニュース</p>"), 200)
	gz := compressWith(t, "gzip", append([]byte(`<html><a class="news-item__title" href="/world/2025/01/02/7.html">x</a>`), page...))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz)
	})
	mux.HandleFunc("/world/2025/01/02/7.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><article><h1>記事</h1></article></html>")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	c := colly.NewCollector()
	c.WithTransport(w.Transport(TransportOptions{}))
	var titles []string
	captures := map[string]Capture{}
	c.OnResponse(func(r *colly.Response) {
		cp, ok := CaptureFromHeader(*r.Headers)
		if !ok {
			t.Errorf("%s: no capture", r.Request.URL)
		}
		captures[r.Request.URL.Path] = cp
	})
	c.OnHTML("a.news-item__title", func(e *colly.HTMLElement) { e.Request.Visit(e.Attr("href")) })
	c.OnHTML("article h1", func(e *colly.HTMLElement) { titles = append(titles, e.Text) })
	if err := c.Visit(srv.URL + "/"); err != nil {
		t.Fatal(err)
	}
	c.Wait()
	if len(titles) != 1 || titles[0] != "記事" {
		t.Errorf("titles %v", titles)
	}
	for path, cp := range captures {
		rec, err := ReadRecord(dir, cp.File, cp.Offset)
		if err != nil || rec.URL != srv.URL+path {
			t.Errorf("%s: %+v %v", path, rec, err)
		}
	}
	if len(captures) != 2 {
		t.Errorf("captures %v", captures)
	}
}

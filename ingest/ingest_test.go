package ingest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/extract"
	"github.com/pravda-archive/pravda/seeds"
	"github.com/pravda-archive/pravda/sim"
)

func page(t *testing.T, n *sim.Network, u string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, u, nil)
	rec := httptest.NewRecorder()
	n.Handler().ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, body
}

func TestPutLifecycle(t *testing.T) {
	ctx := context.Background()
	n, err := sim.New(sim.Config{Seed: 2, Days: 1, PerDay: 3, Sites: []string{"japan"}})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	in := &Ingester{Registry: seeds.Default(), Catalog: cat}
	tr := n.Truth()[0]
	status, body := page(t, n, tr.URL)
	if status != 200 {
		t.Fatalf("sim page %s: %d", tr.URL, status)
	}
	c := Capture{URL: tr.URL, Status: 200, Header: http.Header{}, Body: body, Fetched: time.Now()}
	if out, err := in.Put(ctx, c); err != nil || out != crawler.New {
		t.Fatalf("first capture: %v %v", out, err)
	}
	if out, err := in.Put(ctx, c); err != nil || out != crawler.Unchanged {
		t.Fatalf("replayed capture: %v %v", out, err)
	}
	a, err := cat.Article(ctx, tr.Site, tr.ID)
	if err != nil || a.Title != tr.Title || a.CanonicalURL != tr.CanonicalURL || a.Origin.Kind == "" {
		t.Fatalf("stored %+v, %v; truth %+v", a, err, tr)
	}
	edited := Capture{URL: tr.URL, Status: 200, Header: http.Header{}, Fetched: time.Now().Add(time.Minute),
		Body: []byte(strings.Replace(string(body), tr.Title, tr.Title+" (更新)", -1))}
	if out, err := in.Put(ctx, edited); err != nil || out != crawler.Version {
		t.Fatalf("edited capture: %v %v", out, err)
	}
	gone := Capture{URL: tr.URL, Status: 410, Header: http.Header{}, Fetched: time.Now().Add(2 * time.Minute)}
	if out, err := in.Put(ctx, gone); err != nil || out != crawler.Deleted {
		t.Fatalf("410: %v %v", out, err)
	}
	if out, _ := in.Put(ctx, Capture{URL: "https://japan.news-pravda.com/world/2020/01/01/1.html", Status: 404}); out != crawler.Skipped {
		t.Fatalf("404 for an unknown article should be skipped, got %v", out)
	}
	if out, _ := in.Put(ctx, Capture{URL: "https://japan.news-pravda.com/robots.txt", Status: 200, Body: []byte("User-agent: *")}); out != crawler.Skipped {
		t.Fatalf("a non-article page should be skipped, got %v", out)
	}
	// A padded page over the extraction cap still yields its article (it sits at the top).
	tr2 := n.Truth()[1]
	_, body2 := page(t, n, tr2.URL)
	padded := append(append([]byte{}, body2...), make([]byte, extract.MaxSize)...)
	if out, err := in.Put(ctx, Capture{URL: tr2.URL, Status: 200, Body: padded, Fetched: time.Now()}); err != nil || out != crawler.New {
		t.Fatalf("padded page: %v %v", out, err)
	}
}

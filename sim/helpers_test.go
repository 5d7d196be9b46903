package sim

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// testNow is the fake present of most tests: a fixed instant, so that worlds are equal
// byte for byte from run to run.
var testNow = time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newNet(t testing.TB, cfg Config) *Network {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n
}

// response is what a request through the handler gave, body decoded.
type response struct {
	code   int
	header http.Header
	body   []byte
}

func (r response) doc(t testing.TB) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return d
}

// get sends a GET for rawURL through the handler in process (no network), the way a
// client that dials every host to the simulator would.
func get(t testing.TB, n *Network, rawURL string, hdr ...string) response {
	t.Helper()
	return do(t, n, http.MethodGet, rawURL, hdr...)
}

func do(t testing.TB, n *Network, method, rawURL string, hdr ...string) response {
	t.Helper()
	r := httptest.NewRequest(method, rawURL, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	n.Handler().ServeHTTP(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: gzip: %v", rawURL, err)
		}
		body, err = io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: gunzip: %v", rawURL, err)
		}
	}
	return response{code: res.StatusCode, header: res.Header, body: body}
}

// absolute resolves href against base.
func absolute(t testing.TB, base, href string) string {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	h, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		t.Fatalf("bad href %q: %v", href, err)
	}
	return b.ResolveReference(h).String()
}

func truthByURL(ts []Truth) map[string]Truth {
	m := map[string]Truth{}
	for _, t := range ts {
		m[t.URL] = t
	}
	return m
}

func itoa64(i int64) string { return strconv.FormatInt(i, 10) }

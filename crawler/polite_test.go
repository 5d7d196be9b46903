package crawler

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testTransport builds a polite transport whose every host connects to srv.
func testTransport(t *testing.T, srv *httptest.Server, p Politeness, scope func(string) bool) (*polite, *[]time.Duration) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	d := &Dialer{Resolves: []Resolve{{Pattern: "*", Addr: u.Host}}}
	base := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(base.CloseIdleConnections)
	var mu sync.Mutex
	var waits []time.Duration
	pt := &polite{base: base, p: p.withDefaults(), dialer: d, scope: scope,
		hosts: map[string]*gate{}, ips: map[string]*gate{},
		sleep: func(ctx context.Context, d time.Duration) error {
			if d > 0 {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
			}
			return nil
		}}
	return pt, &waits
}

func all(string) bool { return true }

func get(t *testing.T, rt http.RoundTripper, u string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func TestRetryAfterIsObeyed(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	pt, waits := testTransport(t, srv, Politeness{Off: true}, all)
	resp, err := get(t, pt, "http://japan.news-pravda.com/x")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("got %v %v", resp, err)
	}
	if n.Load() != 2 {
		t.Fatalf("want 2 requests, got %d", n.Load())
	}
	found := false
	for _, w := range *waits {
		if w == 7*time.Second {
			found = true
		}
	}
	if !found {
		t.Fatalf("Retry-After: 7 not waited out; waits %v", *waits)
	}
}

func TestBackoffIsBoundedAndJittered(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	pt, waits := testTransport(t, srv, Politeness{Off: true, MaxRetries: 3, BackoffBase: time.Second, BackoffMax: 3 * time.Second}, all)
	resp, err := get(t, pt, "http://japan.news-pravda.com/x")
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("want the last 503 back, got %v %v", resp, err)
	}
	if n.Load() != 4 {
		t.Fatalf("want 1+3 attempts, got %d", n.Load())
	}
	if len(*waits) != 3 {
		t.Fatalf("want 3 waits, got %v", *waits)
	}
	for i, w := range *waits {
		ceil := min(time.Second<<i, 3*time.Second)
		if w <= 0 || w > ceil {
			t.Errorf("wait %d = %s, want in (0, %s]", i, w, ceil)
		}
	}
}

func TestOffScopeIsNeverRequested(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	var attempts []Attempt
	pt, _ := testTransport(t, srv, Politeness{Off: true}, func(h string) bool { return h == "japan.news-pravda.com" })
	pt.setOnTry(func(a Attempt) { attempts = append(attempts, a) })
	_, err := get(t, pt, "http://evil.example.org/")
	if !errors.Is(err, ErrOffScope) || n.Load() != 0 {
		t.Fatalf("off-scope request made or not refused: %v, %d requests", err, n.Load())
	}
	if len(attempts) != 1 || attempts[0].Kind != "off_scope" {
		t.Fatalf("refusal not recorded: %+v", attempts)
	}
}

func TestRobotsDisallowAndSwitch(t *testing.T) {
	var paths sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths.Store(r.Host+r.URL.Path, true)
		if r.URL.Path == "/robots.txt" {
			io.WriteString(w, "User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n")
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	pt, _ := testTransport(t, srv, Politeness{Off: true}, all)
	pt.robots = &robotsCache{client: &http.Client{Transport: pt}, maxSize: 1 << 16,
		applies: func(h string) bool { return h != "free.news-pravda.com" }}
	if _, err := get(t, pt, "http://japan.news-pravda.com/private/1.html"); !errors.Is(err, ErrRobots) {
		t.Fatalf("disallowed path not refused: %v", err)
	}
	if _, ok := paths.Load("japan.news-pravda.com/private/1.html"); ok {
		t.Fatal("disallowed path was requested")
	}
	if resp, err := get(t, pt, "http://japan.news-pravda.com/world/1.html"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("allowed path failed: %v", err)
	}
	if d := pt.robots.crawlDelay("japan.news-pravda.com"); d != 3*time.Second {
		t.Fatalf("crawl-delay = %s", d)
	}
	if _, err := get(t, pt, "http://free.news-pravda.com/private/1.html"); err != nil {
		t.Fatalf("robots switch off should allow: %v", err)
	}
}

func TestPerHostAndPerIPLimits(t *testing.T) {
	var cur, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := cur.Add(1)
		for {
			p := peak.Load()
			if c <= p || peak.CompareAndSwap(p, c) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
	}))
	defer srv.Close()
	// Two hosts on one IP, one request at a time per IP: never two in flight.
	pt, _ := testTransport(t, srv, Politeness{PerHost: 4, PerIP: 1, Delay: time.Nanosecond}, all)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			host := []string{"japan.news-pravda.com", "news-pravda.com"}[i%2]
			get(t, pt, "http://"+host+"/x")
		}()
	}
	wg.Wait()
	if peak.Load() != 1 {
		t.Fatalf("per-IP limit 1 broken: peak %d in flight", peak.Load())
	}
	peak.Store(0)
	pt2, _ := testTransport(t, srv, Politeness{PerHost: 2, PerIP: 8, Delay: time.Nanosecond}, all)
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); get(t, pt2, "http://japan.news-pravda.com/x") }()
	}
	wg.Wait()
	if peak.Load() > 2 {
		t.Fatalf("per-host limit 2 broken: peak %d", peak.Load())
	}
}

func TestDelaySpacesRequestsToOneHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	pt, waits := testTransport(t, srv, Politeness{Delay: 250 * time.Millisecond}, all)
	for range 3 {
		get(t, pt, "http://japan.news-pravda.com/x")
	}
	// The fake sleep returns at once, so each later request is told to wait ~250ms more.
	if len(*waits) < 2 {
		t.Fatalf("requests not spaced: waits %v", *waits)
	}
	for _, w := range *waits {
		if w > 600*time.Millisecond {
			t.Fatalf("wait %s longer than the delay pile-up allows", w)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d, ok := parseRetryAfter("120", now); !ok || d != 2*time.Minute {
		t.Fatal(d, ok)
	}
	if d, ok := parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); !ok || d != 90*time.Second {
		t.Fatal(d, ok)
	}
	for _, bad := range []string{"", "soon", "-5"} {
		if _, ok := parseRetryAfter(bad, now); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestResolveRules(t *testing.T) {
	for _, tc := range []struct{ rule, host, port, want string }{
		{"*=127.0.0.1:8443", "japan.news-pravda.com", "443", "127.0.0.1:8443"},
		{"japan.news-pravda.com=10.0.0.1", "japan.news-pravda.com", "443", "10.0.0.1:443"},
		{"japan.news-pravda.com:80=10.0.0.1:8080", "japan.news-pravda.com", "443", ""},
		{"*.news-pravda.com=10.0.0.2:1", "fr.news-pravda.com", "80", "10.0.0.2:1"},
	} {
		r, err := ParseResolve(tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := r.match(tc.host, tc.port)
		if got != tc.want {
			t.Errorf("%s on %s:%s = %q, want %q", tc.rule, tc.host, tc.port, got, tc.want)
		}
	}
	for _, bad := range []string{"nothing", "=1.2.3.4", "*=", "*=not-an-ip"} {
		if _, err := ParseResolve(bad); err == nil || !strings.Contains(err.Error(), "--resolve") {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestDialerRefusesPrivateUnlessAsked(t *testing.T) {
	d := &Dialer{}
	_, err := d.DialContext(context.Background(), "tcp", "localhost:80")
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("loopback not refused: %v", err)
	}
}

func TestUnreachableRobotsFetchesNothing(t *testing.T) {
	var pages atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close() // the host drops the connection: robots.txt cannot be read
			return
		}
		pages.Add(1)
	}))
	defer srv.Close()
	pt, _ := testTransport(t, srv, Politeness{Off: true, MaxRetries: 1}, all)
	pt.robots = &robotsCache{client: &http.Client{Transport: pt}, maxSize: 1 << 16}
	_, err := get(t, pt, "http://japan.news-pravda.com/world/1.html")
	if err == nil || !strings.Contains(err.Error(), "robots.txt unreachable") {
		t.Fatalf("want a robots.txt-unreachable error, got %v", err)
	}
	if pages.Load() != 0 {
		t.Fatal("a page was fetched although robots.txt could not be read")
	}
}

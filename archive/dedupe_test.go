package archive

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

func testDigest(i int) string { return digestOf(fmt.Appendf(nil, "payload %d", i)) }

func TestDedupeSetForgetsTheOldestFirst(t *testing.T) {
	s := newDedupeSet(100)
	at := time.Unix(1_700_000_000, 0)
	url := func(i int) string { return fmt.Sprintf("https://japan.news-pravda.com/world/2026/11/30/%d.html", i) }
	has := func(i int) bool {
		d, _ := digestBytes(testDigest(i))
		_, ok := s.original(url(i), d)
		return ok
	}
	for i := range 100 {
		s.remember(url(i), testDigest(i), newRecordID(), at)
	}
	// Remembered again, 0 is the newest now and outlives 1..
	s.remember(url(0), testDigest(0), newRecordID(), at)
	for i := 100; i < 150; i++ {
		s.remember(url(i), testDigest(i), newRecordID(), at)
	}
	if s.len() > 100 {
		t.Errorf("holds %d refs, limit 100", s.len())
	}
	for _, c := range []struct {
		i    int
		want bool
	}{{0, true}, {1, false}, {49, false}, {51, true}, {99, true}, {149, true}} {
		if has(c.i) != c.want {
			t.Errorf("capture %d remembered: %v, want %v", c.i, !c.want, c.want)
		}
	}
	// The same URL with another payload is another capture; a digest that only
	// shares the URL does not match.
	d7, _ := digestBytes(testDigest(7))
	if _, ok := s.original(url(149), d7); ok {
		t.Error("a URL matched with another payload's digest")
	}
}

func TestRecordIDRoundTrip(t *testing.T) {
	for range 100 {
		id := newRecordID()
		u, ok := parseRecordID(id)
		if !ok || formatRecordID(u) != id {
			t.Fatalf("%s: parsed %v, formats back as %s", id, ok, formatRecordID(u))
		}
	}
	for _, id := range []string{
		"", "<urn:uuid:ABCDEF01-2345-6789-abcd-ef0123456789>", // upper case would not name it exactly
		"urn:uuid:abcdef01-2345-6789-abcd-ef0123456789", "<urn:uuid:abcdef01-2345-6789-abcd-ef012345678>",
		"<urn:uuid:abcdef01x2345-6789-abcd-ef0123456789>", "<urn:uuid:abcdef01-2345-6789-abcd-ef012345678g>",
		"<http://example.com/record/1>",
	} {
		if _, ok := parseRecordID(id); ok {
			t.Errorf("%q parsed as one of our record ids", id)
		}
	}
	s := newDedupeSet(10)
	s.remember("https://a.example/", testDigest(1), "<http://example.com/record/1>", time.Now())
	if s.len() != 0 {
		t.Error("a foreign record id was remembered: a revisit could not name it")
	}
}

// The set's memory stays about its entries' size. The map of slices of refs with
// string ids it replaced took 196 bytes a URL.
func TestDedupeSetMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 200,000 entries")
	}
	const n = 200_000
	s := newDedupeSet(n)
	ids := make([]string, n)
	urls := make([]string, n)
	for i := range n {
		ids[i] = newRecordID()
		urls[i] = fmt.Sprintf("https://japan.news-pravda.com/world/2026/11/30/%d.html", i)
	}
	digest := testDigest(1)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		s.remember(urls[i], digest, ids[i], time.Now())
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ids) // measured apart from the set: they are the caller's
	runtime.KeepAlive(urls)
	per := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	t.Logf("%.0f bytes a capture", per)
	if per > 120 {
		t.Errorf("%.0f bytes a remembered capture, want under 120", per)
	}
	// Forgetting as it goes (a long crawl, or Open reading a big index) must not
	// grow the set: a map keeps the room of what was deleted from it.
	for round := range 3 {
		for i := range n {
			s.remember(urls[i]+fmt.Sprint(round), digest, ids[i], time.Now())
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ids)
	runtime.KeepAlive(urls)
	per = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	t.Logf("%.0f bytes a capture after forgetting %d", per, 3*n)
	if s.len() != n || per > 120 {
		t.Errorf("after forgetting %d: %d refs, %.0f bytes each, want %d under 120", 3*n, s.len(), per, n)
	}
	runtime.KeepAlive(s)
}

// Open reads the indexes of the newest files only, as many as the limit holds: a
// capture in an older file is archived in full when its payload comes again.
func TestOpenLoadsTheNewestDigests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<p>page %s</p>%s", r.URL.Path, strings.Repeat("x", 3000))
	}))
	defer srv.Close()
	dir := t.TempDir()
	// Files of about two captures each: /0 and /1 end up in the oldest files.
	w := openWriter(t, dir, WithMaxFileSize(5000))
	client := newClient(w, TransportOptions{})
	for i := range 10 {
		fetch(t, client, fmt.Sprintf("%s/%d", srv.URL, i))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2 := openWriter(t, dir, WithDedupeLimit(4))
	if n := w2.seen.len(); n < 4 || n > 6 {
		t.Errorf("reopened with %d digests remembered, want the newest files' 4-6", n)
	}
	c2 := newClient(w2, TransportOptions{})
	for path, revisit := range map[string]bool{"/0": false, "/9": true} {
		resp, _ := fetch(t, c2, srv.URL+path)
		if c, _ := CaptureOf(resp); c.Revisit != revisit {
			t.Errorf("%s fetched again: revisit %v, want %v", path, c.Revisit, revisit)
		}
	}
	w2.Close()
	mustVerify(t, dir)
}

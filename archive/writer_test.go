package archive

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// pages serves /p/N with a body that changes when version does.
type pages struct {
	mu      sync.Mutex
	version map[string]int
	size    int
}

func (p *pages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	v := p.version[r.URL.Path]
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html")
	body := fmt.Sprintf("<html>%s version %d</html>", r.URL.Path, v)
	if p.size > len(body) {
		body += strings.Repeat(fmt.Sprintf("<!-- %s %d -->", r.URL.Path, v), (p.size-len(body))/20)
	}
	fmt.Fprint(w, body)
}

func (p *pages) bump(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.version == nil {
		p.version = map[string]int{}
	}
	p.version[path]++
}

func TestDedupeRevisit(t *testing.T) {
	site := &pages{}
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	client := newClient(w, TransportOptions{})
	url := srv.URL + "/p/1"

	r1, b1 := fetch(t, client, url)
	r2, b2 := fetch(t, client, url)
	c1, _ := CaptureOf(r1)
	c2, _ := CaptureOf(r2)
	if c1.Revisit || !c2.Revisit || string(b1) != string(b2) {
		t.Fatalf("first %+v second %+v", c1, c2)
	}
	if c1.PayloadDigest != c2.PayloadDigest {
		t.Errorf("digests differ")
	}
	raw := rawAt(t, dir, c2)
	if raw.fields.Get(hRefersTo) != c1.RecordID || raw.fields.Get(hRefersToURI) != url ||
		raw.fields.Get(hProfile) != profileIdentical || raw.fields.Get(hRefersToDate) != warcDate(c1.Time) {
		t.Errorf("revisit fields %v", raw.fields)
	}
	if strings.Contains(string(raw.block), "version 0") {
		t.Error("revisit record holds the body")
	}
	rec, err := ReadRecord(dir, c2.File, c2.Offset)
	if err != nil || string(rec.Payload) != string(b1) || rec.RefersTo == nil || rec.RefersTo.RecordID != c1.RecordID {
		t.Fatalf("revisit read back %+v, %v", rec, err)
	}

	site.bump("/p/1")
	r3, b3 := fetch(t, client, url)
	c3, _ := CaptureOf(r3)
	if c3.Revisit || string(b3) == string(b1) {
		t.Errorf("changed page archived as %+v", c3)
	}
	// Another URL with the same body is not a revisit: dedupe is per URL.
	other := &pages{}
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/p/1"
		other.ServeHTTP(w, r)
	}))
	defer srv2.Close()
	r4, _ := fetch(t, client, srv2.URL+"/p/1")
	if c4, _ := CaptureOf(r4); c4.Revisit {
		t.Error("revisit across URLs")
	}

	// After a restart the digests come back from the index.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2 := openWriter(t, dir)
	r5, _ := fetch(t, newClient(w2, TransportOptions{}), url)
	c5, _ := CaptureOf(r5)
	if !c5.Revisit {
		t.Error("no revisit after reopening")
	}
	if raw := rawAt(t, dir, c5); raw.fields.Get(hRefersTo) != c3.RecordID {
		t.Errorf("refers to %s, want latest original %s", raw.fields.Get(hRefersTo), c3.RecordID)
	}
	w2.Close()
	mustVerify(t, dir)

	// Walk gives every capture, revisits resolved, in write order.
	var seen []string
	err = Walk(context.Background(), dir, func(r *Record) error {
		if r.Type == "revisit" && (r.RefersTo == nil || r.Incomplete || !strings.Contains(string(r.Payload), "version")) {
			t.Errorf("unresolved revisit %s", r.ID)
		}
		seen = append(seen, r.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{c1.RecordID, c2.RecordID, c3.RecordID}
	if len(seen) != 5 || strings.Join(seen[:3], ",") != strings.Join(want, ",") || seen[4] != c5.RecordID {
		t.Errorf("walk order %v", seen)
	}

	// Without any index, a revisit still resolves by scanning.
	idx, _ := filepath.Glob(filepath.Join(dir, "*.cdxj"))
	for _, p := range idx {
		os.Remove(p)
	}
	rec, err = ReadRecord(dir, c5.File, c5.Offset)
	if err != nil || !strings.Contains(string(rec.Payload), "version 1") || rec.RefersTo == nil {
		t.Errorf("scan fallback: %+v, %v", rec, err)
	}
}

func TestDedupeOff(t *testing.T) {
	srv := httptest.NewServer(&pages{})
	defer srv.Close()
	w := openWriter(t, t.TempDir(), WithDedupe(false))
	client := newClient(w, TransportOptions{})
	fetch(t, client, srv.URL+"/x")
	r, _ := fetch(t, client, srv.URL+"/x")
	if c, _ := CaptureOf(r); c.Revisit {
		t.Error("revisit with dedupe off")
	}
}

func TestRotationBySize(t *testing.T) {
	srv := httptest.NewServer(&pages{size: 4000})
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir, WithMaxFileSize(3000), WithPrefix("test"))
	client := newClient(w, TransportOptions{})
	var caps []Capture
	for i := range 12 {
		r, _ := fetch(t, client, fmt.Sprintf("%s/p/%d", srv.URL, i))
		c, _ := CaptureOf(r)
		caps = append(caps, c)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := listWARCs(dir)
	if len(files) < 4 {
		t.Fatalf("%d files", len(files))
	}
	for i, f := range files {
		if f.open || !strings.HasPrefix(f.name, "test-") || f.serial != i+1 {
			t.Errorf("file %+v", f)
		}
	}
	for name, recs := range allRecords(t, dir) {
		if recs[0].fields.Get(hType) != "warcinfo" || recs[0].fields.Get(hFilename) != name {
			t.Errorf("%s starts with %s %s", name, recs[0].fields.Get(hType), recs[0].fields.Get(hFilename))
		}
		for _, r := range recs[1:] {
			if r.fields.Get(hType) == "warcinfo" {
				t.Errorf("%s: warcinfo after the first record", name)
			}
		}
	}
	for _, c := range caps {
		rec, err := ReadRecord(dir, c.File, c.Offset)
		if err != nil || rec.ID != c.RecordID {
			t.Errorf("capture %+v: %v", c, err)
		}
	}
	rep := mustVerify(t, dir)
	if rep.Files != len(files) || rep.IndexLines != 12 {
		t.Errorf("report %+v", rep)
	}
}

func TestWriteResourceAndLookup(t *testing.T) {
	dir := t.TempDir()
	w := openWriter(t, dir, WithSyncEvery(1), WithInfo("operator", "pravda-archive tests"))
	c, err := w.WriteResource(context.Background(), "urn:pravda:crawl-log:2025-01-02", "text/plain", []byte("crawl ok\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.Lookup("urn:pravda:crawl-log:2025-01-02")
	if err != nil || len(got) != 1 || got[0].RecordID != c.RecordID || got[0].Offset != c.Offset {
		t.Fatalf("lookup %+v, %v", got, err)
	}
	rec, err := ReadRecord(dir, c.File, c.Offset)
	if err != nil || string(rec.Payload) != "crawl ok\n" || rec.Type != "resource" || rec.MIME != "text/plain" {
		t.Fatalf("%+v %v", rec, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.WriteResource(ctx, "urn:x", "text/plain", nil); err == nil {
		t.Error("no error on cancelled context")
	}
	w.Close()
	mustVerify(t, dir)
	recs := allRecords(t, dir)[c.File]
	if info := string(recs[0].block); !strings.Contains(info, "operator: pravda-archive tests\r\n") || !strings.Contains(info, "software: pravda-archive/0.1\r\n") {
		t.Errorf("warcinfo %q", info)
	}
}

func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	openWriter(t, dir)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open: %v", err)
	}
}

func TestConcurrentFetches(t *testing.T) {
	site := &pages{size: 3000}
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir, WithMaxFileSize(64<<10))
	client := newClient(w, TransportOptions{})
	const workers, each = 50, 4
	var wg sync.WaitGroup
	caps := make(chan Capture, workers*each)
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				// Half the URLs are shared, so revisits race with originals.
				url := fmt.Sprintf("%s/p/%d-%d", srv.URL, g, i)
				if i%2 == 1 {
					url = fmt.Sprintf("%s/shared/%d", srv.URL, g%5)
				}
				resp, err := client.Get(url)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				c, ok := CaptureOf(resp)
				if !ok {
					t.Error("no capture")
					return
				}
				caps <- c
			}
		})
	}
	wg.Wait()
	close(caps)
	n := 0
	for c := range caps {
		n++
		rec, err := ReadRecord(dir, c.File, c.Offset)
		if err != nil || rec.ID != c.RecordID || !strings.Contains(string(rec.Payload), "version 0") {
			t.Errorf("capture %+v: %v", c, err)
		}
	}
	if n != workers*each {
		t.Errorf("%d captures", n)
	}
	w.Close()
	rep := mustVerify(t, dir)
	if rep.IndexLines != workers*each {
		t.Errorf("%d index lines", rep.IndexLines)
	}
}

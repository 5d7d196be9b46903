package archive

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSURTKey(t *testing.T) {
	cases := map[string]string{
		"https://japan.news-pravda.com/world/2025/01/02/123.html": "com,news-pravda,japan)/world/2025/01/02/123.html",
		"http://www.Japan.News-Pravda.com:80/World/?b=2&a=1#frag": "com,news-pravda,japan)/world/?a=1&b=2",
		"https://news-pravda.com:8443/":                           "com,news-pravda:8443)/",
		"https://news-pravda.com":                                 "com,news-pravda)/",
		"http://127.0.0.1:8080/x":                                 "127.0.0.1:8080)/x",
		"urn:pravda:crawl-log":                                    "urn:pravda:crawl-log",
		"https://t.me/s/rusembjp/123":                             "me,t)/s/rusembjp/123",
		"http://a.com/with space":                                 "com,a)/with%20space",
	}
	for in, want := range cases {
		if got := surtKey(in); got != want {
			t.Errorf("surtKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCDXJLineRoundTrip(t *testing.T) {
	e := indexEntry{Capture: Capture{
		URL: "https://japan.news-pravda.com/a?x=\"<b>\"", Time: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
		File: "pravda-20250304050607-00001.warc.gz", Offset: 1234, Length: 567, RecordID: newRecordID(),
		PayloadDigest: digestOf([]byte("x")), Status: 200, MIME: "text/html", Truncated: true,
	}, truncated: "length"}
	line := cdxjLine(e)
	if line[len(line)-1] != '\n' || slices.Contains(line[:len(line)-1], '\n') {
		t.Fatalf("line %q", line)
	}
	key, c, err := parseCDXJ(line[:len(line)-1])
	if err != nil {
		t.Fatal(err)
	}
	if key != surtKey(e.URL) || c != e.Capture {
		t.Errorf("got %q %+v\nwant %+v", key, c, e.Capture)
	}
	// pywb lines: numbers as strings, digest without prefix, revisit mime.
	key, c, err = parseCDXJ([]byte(`com,example)/ 20200101 {"url": "http://example.com/", "mime": "warc/revisit", "status": "200", "digest": "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "length": 300, "offset": "10", "filename": "a.warc.gz"}`))
	if err != nil || key != "com,example)/" || !c.Revisit || c.Length != 300 || c.PayloadDigest != emptyDigest ||
		!c.Time.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("pywb line: %+v %v", c, err)
	}
	for _, bad := range []string{"", "key", "key 2020", `key 2020 {`, `key 20x0 {"offset":"1","length":"1"}`, `key 2020 {"offset":"-1","length":"1"}`} {
		if _, _, err := parseCDXJ([]byte(bad)); err == nil {
			t.Errorf("parseCDXJ(%q) accepted", bad)
		}
	}
}

// TestLookupBinarySearch compares lookups in a large sorted index with a
// linear scan of the same lines.
func TestLookupBinarySearch(t *testing.T) {
	dir := t.TempDir()
	name := "pravda-20250101000000-00001.warc.gz"
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var lines [][]byte
	count := map[string]int{}
	urlOf := map[string]string{}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 8000 {
		url := fmt.Sprintf("https://site%d.news-pravda.com/world/2025/01/01/%d.html", rng.IntN(30), rng.IntN(3000))
		if i%997 == 0 {
			url += "?long=" + strings.Repeat("x", 5000) // lines longer than a read window
		}
		count[surtKey(url)]++
		urlOf[surtKey(url)] = url
		lines = append(lines, cdxjLine(indexEntry{Capture: Capture{
			URL: url, Time: base.Add(time.Duration(i) * time.Second), File: name, Offset: int64(i * 100), Length: 100,
			RecordID: fmt.Sprintf("<urn:uuid:%d>", i), PayloadDigest: emptyDigest, Status: 200,
		}}))
	}
	if err := writeIndex(dir, name, lines); err != nil {
		t.Fatal(err)
	}
	ix, err := OpenIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for key, n := range count {
		url := urlOf[key]
		caps, err := ix.Lookup(url)
		if err != nil {
			t.Fatal(err)
		}
		if len(caps) != n {
			t.Fatalf("Lookup(%s) = %d captures, want %d", url, len(caps), n)
		}
		for i := 1; i < len(caps); i++ {
			if caps[i].Time.Before(caps[i-1].Time) {
				t.Fatal("not oldest first")
			}
		}
		if checked++; checked > 300 {
			break
		}
	}
	for _, miss := range []string{"https://aaa.example/", "https://zzz.example/", "https://site5.news-pravda.com/world/2025/01/01/99999.html"} {
		if caps, err := ix.Lookup(miss); err != nil || len(caps) != 0 {
			t.Errorf("Lookup(%s) = %d, %v", miss, len(caps), err)
		}
	}
	n := 0
	for _, err := range ix.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != len(lines) {
		t.Errorf("All gave %d, want %d", n, len(lines))
	}
}

func TestIndexSeesOpenFile(t *testing.T) {
	dir := t.TempDir()
	w := openWriter(t, dir)
	c, err := w.WriteResource(t.Context(), "urn:a", "text/plain", []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := OpenIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	caps, err := ix.Lookup("urn:a")
	if err != nil || len(caps) != 1 || caps[0] != c {
		t.Errorf("lookup in open file: %+v %v", caps, err)
	}
	if _, err := OpenIndex(filepath.Join(dir, "missing")); err == nil {
		t.Error("OpenIndex of a missing dir")
	}
}

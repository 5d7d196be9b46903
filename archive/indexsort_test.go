package archive

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Past its limit the sorter spills sorted runs and merges them; the index it
// writes is the lines sorted, whatever the number of runs, and no run is left.
func TestIndexSorterRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 500, 3000} {
		for _, limit := range []int{1, 300, 5000, runLimit} {
			if limit == 1 && n > 500 {
				continue // a run a line: slow, and 500 shows the same
			}
			dir := t.TempDir()
			var lines [][]byte
			for i := range n {
				// Duplicates and shared prefixes, as SURT keys have.
				lines = append(lines, fmt.Appendf(nil, "jp,news-pravda)/%d %d {}\n", rng.IntN(n/3+1), i%3))
			}
			s := newIndexSorter(dir, "f-00001.warc.gz")
			s.limit = limit
			for _, l := range lines {
				s.add(l)
			}
			spilled := len(s.runs)
			if err := s.finish(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, "f-00001.cdxj"))
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(lines, bytes.Compare)
			if want := bytes.Join(lines, nil); !bytes.Equal(got, want) {
				t.Errorf("%d lines, limit %d (%d runs): index not the sorted lines", n, limit, spilled)
			}
			if limit < 300 && n > 1 && spilled == 0 {
				t.Errorf("%d lines over a %d-byte limit spilled no run", n, limit)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("left in the directory: %v", entries)
			}
		}
	}
}

// A writer holds no more than the sorter's limit of index lines however long its
// file, and the index it writes on close is complete and sorted.
func TestWriterIndexLinesBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "page %s", r.URL.Path)
	}))
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	client := newClient(w, TransportOptions{})
	fetch(t, client, srv.URL+"/first")
	w.sorter.limit = 2000
	for i := range 60 {
		fetch(t, client, fmt.Sprintf("%s/%d", srv.URL, i))
		if w.sorter.size >= 2000 {
			t.Fatalf("sorter holds %d bytes of lines, limit 2000", w.sorter.size)
		}
	}
	if len(w.sorter.runs) == 0 {
		t.Fatal("no run spilled: the test does not exercise the bound")
	}
	name := w.name
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	idx, err := os.ReadFile(filepath.Join(dir, indexName(name)))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(idx), "\n")
	lines = lines[:len(lines)-1]
	if len(lines) != 61 || !slices.IsSorted(lines) {
		t.Errorf("index has %d lines (want 61), sorted %v", len(lines), slices.IsSorted(lines))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	mustVerify(t, dir)
}

// Runs a crash leaves behind are removed when the directory is opened again.
func TestOpenRemovesLeftoverRuns(t *testing.T) {
	dir := t.TempDir()
	s := newIndexSorter(dir, "pravda-20261203000000-00001.warc.gz")
	s.limit = 1
	s.add([]byte("a 1 {}\n"))
	if len(s.runs) != 1 {
		t.Fatalf("%d runs", len(s.runs))
	}
	run := s.runs[0]
	w := openWriter(t, dir)
	w.Close()
	if _, err := os.Stat(run); !os.IsNotExist(err) {
		t.Errorf("leftover run %s still there after Open (%v)", filepath.Base(run), err)
	}
}

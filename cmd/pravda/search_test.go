package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/sim"
)

func jsonLines(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
		rows = append(rows, m)
	}
	return rows
}

func TestSearchAndCountsAfterCrawl(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 21, Days: 3, PerDay: 10, Sites: []string{"japan", "hub", "francais", "abkhazia"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	truth := srv.Network.Truth()

	// Every Japanese title finds its own article.
	checked := 0
	for _, tr := range truth {
		if tr.Lang != "ja" || checked >= 5 {
			continue
		}
		checked++
		out := run(t, "search", "--data", data, "--lang", "ja", "--format", "jsonl", "--limit", "0", fmt.Sprintf("%q", tr.Title))
		found := false
		for _, h := range jsonLines(t, out) {
			if h["key"] == tr.Key {
				found = true
			}
		}
		if !found {
			t.Errorf("phrase search for the title of %s (%s) does not find it", tr.Key, tr.Title)
		}
	}

	// Archive-wide counts per site equal the ground truth.
	want := map[string]float64{}
	for _, tr := range truth {
		want[siteKeyOf(tr)]++
	}
	for _, r := range jsonLines(t, run(t, "counts", "--data", data, "--by", "site", "--format", "jsonl")) {
		k := r["key"].(string)
		if r["count"].(float64) != want[k] || r["total"].(float64) != want[k] {
			t.Errorf("counts for %s: %v, want %v", k, r, want[k])
		}
		delete(want, k)
	}
	if len(want) != 0 {
		t.Errorf("sites missing from counts: %v", want)
	}

	// Per-day counts of a query equal a count over the truth, and ratio = count/total.
	perDay := map[string]float64{}
	totalDay := map[string]float64{}
	for _, tr := range truth {
		d := tr.Published.Format("2006-01-02")
		totalDay[d]++
		if tr.Lang == "ja" {
			perDay[d]++
		}
	}
	for _, r := range jsonLines(t, run(t, "counts", "--data", data, "--by", "day", "--format", "jsonl", "lang:ja")) {
		d := r["key"].(string)
		if r["count"].(float64) != perDay[d] || r["total"].(float64) != totalDay[d] {
			t.Errorf("day %s: %v, want count %v total %v", d, r, perDay[d], totalDay[d])
		}
	}

	// A malformed query is a clear error, not a crash.
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"search", "--data", data, "(東京 OR"}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "pravda search") {
		t.Fatalf("malformed query: exit %d, %s", code, errb.String())
	}
}

var captureRef = regexp.MustCompile(`\([^()]*\.warc\.gz@\d+\)`)

// snapshot is what a catalog says about its articles, independent of row ids.
func snapshot(t *testing.T, data string) []string {
	t.Helper()
	cat, err := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	var lines []string
	stories := map[int64][]string{}
	err = cat.EachVersion(context.Background(), func(site string, id int64, v catalog.Version) error {
		a, err := cat.Article(context.Background(), site, id)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s:%d v%d %s %s %s@%d deleted=%v/%d origin=%s/%s/%s title=%s",
			site, id, v.N, v.BodyHash, v.PayloadDigest, v.WARCFile, v.WARCOffset, a.Deleted(), a.DeleteStatus,
			a.Origin.Kind, a.Origin.ID(), a.Origin.URL, a.Title))
		if v.N == 1 {
			for _, h := range a.Hops {
				// An origin page fetched on several passes has several captures: the live
				// trace cites the one its pass fetched, the rebuild the newest. Both hold
				// the same page, so the comparison leaves the capture pointer out.
				ev := captureRef.ReplaceAllString(h.Evidence, "(capture)")
				lines = append(lines, fmt.Sprintf("%s:%d hop %d %s %s %s lag=%s", site, id, h.N, h.Kind, h.URL, ev, h.Lag))
			}
			if a.StoryID != 0 {
				stories[a.StoryID] = append(stories[a.StoryID], fmt.Sprintf("%s:%d", site, id))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Stories compare by membership: their ids depend on insertion order.
	for _, m := range stories {
		sort.Strings(m)
		lines = append(lines, "story "+strings.Join(m, " "))
	}
	sort.Strings(lines)
	return lines
}

func TestReindexEqualsLiveCatalog(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 23, Days: 2, PerDay: 10, Sites: []string{"japan", "deutsch"}, Faults: []string{"edit", "delete"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	run(t, crawlArgs(srv, ca, data, "--recheck", "30")...)
	live := snapshot(t, data)
	liveSearch := run(t, "search", "--data", data, "--format", "jsonl", "--limit", "0", "--sort", "date", "lang:ja")
	run(t, "reindex", "--data", data)
	rebuilt := snapshot(t, data)
	if strings.Join(live, "\n") != strings.Join(rebuilt, "\n") {
		for i := range min(len(live), len(rebuilt)) {
			if live[i] != rebuilt[i] {
				t.Fatalf("first difference:\nlive:    %s\nrebuilt: %s", live[i], rebuilt[i])
			}
		}
		t.Fatalf("live catalog has %d versions, rebuilt %d", len(live), len(rebuilt))
	}
	if got := run(t, "search", "--data", data, "--format", "jsonl", "--limit", "0", "--sort", "date", "lang:ja"); !bytes.Equal(got, liveSearch) {
		t.Fatalf("search after reindex differs:\n%s\nvs\n%s", got, liveSearch)
	}
	if len(live) == 0 {
		t.Fatal("nothing crawled")
	}
}

func TestLockedIndexFailsFast(t *testing.T) {
	data := t.TempDir()
	x, err := index.Open(filepath.Join(data, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	os.WriteFile(filepath.Join(data, "catalog.db"), nil, 0o644)
	cmd := exec.Command(os.Args[0], "search", "--data", data, "東京")
	cmd.Env = append(os.Environ(), "PRAVDA_MAIN=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "locked") {
		t.Fatalf("search on a held index: %v\n%s", err, out)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("took %s to fail", el)
	}
}

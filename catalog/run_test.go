package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func TestRunsAndFetchLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.BeginRun(ctx, []string{"japan"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3*fetchBatch + 7
	for i := range n {
		f := FetchLog{Run: run, URL: fmt.Sprintf("https://japan.news-pravda.com/%d.html", i), Host: "japan.news-pravda.com",
			Status: 200, Bytes: 1234, StartedAt: t0.Add(time.Duration(i) * time.Second), Duration: 150 * time.Millisecond}
		if i%10 == 0 {
			f.Status, f.ErrorKind = 0, "timeout"
		}
		if err := c.LogFetch(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.FinishRun(ctx, run, "ok", map[string]int{"fetched": n}); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, c, "SELECT count(*) FROM fetch_log WHERE run = ?", run); got != n {
		t.Fatalf("fetch_log has %d rows after FinishRun, want %d", got, n)
	}
	if got := countRows(t, c, "SELECT count(*) FROM fetch_log WHERE error_kind = 'timeout' AND duration_ms = 150"); got != (n+9)/10 {
		t.Fatalf("%d timeouts", got)
	}
	runs, err := c.Runs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var stats map[string]int
	if len(runs) != 1 || runs[0].Status != "ok" || runs[0].FinishedAt.IsZero() || fmt.Sprint(runs[0].Sites) != "[japan]" ||
		json.Unmarshal(runs[0].Stats, &stats) != nil || stats["fetched"] != n {
		t.Fatalf("runs %+v", runs)
	}
	if err := c.FinishRun(ctx, 999, "ok", nil); err == nil {
		t.Fatal("finished an unknown run")
	}

	// Rows logged after the last flush reach the file on Close; rows for no
	// run are kept with a NULL run.
	c.LogFetch(ctx, FetchLog{URL: "https://japan.news-pravda.com/robots.txt", Status: 404})
	c.LogFetch(ctx, FetchLog{Run: run + 100, URL: "https://x/"})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := countRows(t, c, "SELECT count(*) FROM fetch_log WHERE run IS NULL AND status = 404"); got != 1 {
		t.Fatalf("unflushed row lost on Close: %d", got)
	}
	if got := countRows(t, c, "SELECT count(*) FROM fetch_log"); got != n+2 {
		t.Fatalf("%d rows", got)
	}
	pruned, err := c.PruneFetchLog(ctx, t0.Add(100*time.Second))
	if err != nil || pruned != 100 {
		t.Fatalf("PruneFetchLog = %d, %v", pruned, err)
	}
}

func TestFetchLogFlushesInBackground(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the flush ticker")
	}
	ctx := context.Background()
	c := openTest(t)
	c.LogFetch(ctx, FetchLog{URL: "https://japan.news-pravda.com/", StartedAt: t0})
	deadline := time.Now().Add(5 * flushEvery)
	for countRows(t, c, "SELECT count(*) FROM fetch_log") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("buffered row never written")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

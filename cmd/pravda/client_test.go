package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/index/query"
	"github.com/pravda-archive/pravda/sim"
)

// result is what one command line printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

func runAll(args ...string) result {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// quickServeConfig is a daemon config crawling the simulator as fast as the crawl
// tests do.
func quickServeConfig(t *testing.T, srv *sim.Server, ca, data string) string {
	t.Helper()
	text := fmt.Sprintf(`data: %s
listen: 127.0.0.1:0
fetch:
  resolve: ["*=%s"]
  ca: %s
politeness: {per_host: 4, per_ip: 16, delay: 1ms, backoff: 50ms}
schedules:
  crawl:
    - {name: sim, sites: [%s], every: 1h}
  recheck: {days: 0}
  report: {enabled: false}
log: {level: error, format: json}
`, data, srv.Addr, ca, strings.Join(srv.Network.Sites(), ", "))
	p := filepath.Join(t.TempDir(), "pravda.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSearchAndCountsSameThroughDaemon runs search and counts while a daemon owns the
// archive (so through its API), stops it, runs them again on the index and catalog
// directly, and wants the same bytes on stdout and stderr and the same exit codes.
func TestSearchAndCountsSameThroughDaemon(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 29, Days: 3, PerDay: 12, Sites: []string{"japan", "hub", "francais"}})
	data := t.TempDir()
	d, passes, stop := inProcess(t, quickServeConfig(t, srv, ca, data))
	if p := recvPass(t, passes); p.Err != nil || p.Articles < 30 {
		t.Fatalf("daemon pass: %+v", p)
	}
	defer func(n int) { apiPageSize = n }(apiPageSize)
	apiPageSize = 7 // page through the cursor on a small archive

	var days []string
	var title string
	for _, tr := range srv.Network.Truth() {
		if d := tr.Published.Format("2006-01-02"); !slices.Contains(days, d) {
			days = append(days, d)
		}
		if tr.Lang == "ja" && title == "" && !tr.Disallowed {
			title = tr.Title
		}
	}
	slices.Sort(days)
	dd := []string{"--data", data}
	cmds := [][]string{
		{"search"},
		{"search", "--limit", "0", "--format", "jsonl", "--sort", "date"},
		{"search", "--limit", "10", "--format", "csv", "--sort", "-date", "lang:ja OR lang:fr"},
		{"search", "--limit", "0", "--format", "jsonl", "--site", "japan", "--from", days[1], "--to", days[len(days)-1]},
		{"search", "--limit", "0", "--format", "jsonl", fmt.Sprintf("%q", title)},
		{"search", "--limit", "0", "--origin", "telegram_post,state_media"},
		{"counts"},
		{"counts", "--by", "site", "--format", "jsonl"},
		{"counts", "--by", "origin", "--format", "csv", "lang:ja"},
		{"counts", "--by", "outlet"},
		{"counts", "--by", "channel", "--format", "jsonl", "origin:telegram_post"},
		{"counts", "--by", "day", "--format", "jsonl", "--from", days[0], "--to", days[1], "lang:ja"},
		{"counts", "--by", "lang"},
		{"search", "(東京 OR"},
		{"counts", "--by", "site", "site:(japan"},
		{"search", "--site", "japan,hub", "--from", days[1], "--to", days[1]},
	}
	for i := range cmds {
		cmds[i] = append(append([]string{cmds[i][0]}, dd...), cmds[i][1:]...)
	}

	// The daemon holds the index: commands reach it through its API.
	api, err := openAPI(context.Background(), data, true, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	if want := "daemon at " + d.Addr(); api.where != want {
		t.Fatalf("openAPI while the daemon runs: %s, want %s", api.where, want)
	}
	api.Close()
	start := time.Now()
	remote := make([]result, len(cmds))
	for i, args := range cmds {
		remote[i] = runAll(args...)
	}
	t.Logf("%d commands through the daemon in %s", len(cmds), time.Since(start).Round(time.Millisecond))
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, addrFile)); !os.IsNotExist(err) {
		t.Fatalf("%s left behind: %v", addrFile, err)
	}
	start = time.Now()
	for i, args := range cmds {
		local := runAll(args...)
		if local != remote[i] {
			t.Errorf("pravda %s\nthrough the daemon: exit %d\n%s%s\nlocally: exit %d\n%s%s", strings.Join(args, " "),
				remote[i].code, remote[i].stdout, remote[i].stderr, local.code, local.stdout, local.stderr)
		}
	}
	t.Logf("%d commands on the index directly in %s", len(cmds), time.Since(start).Round(time.Millisecond))

	// What was compared is worth comparing: full pages were paged through, errors are
	// errors with the query's position, filters filtered.
	all := jsonLines(t, []byte(remote[1].stdout))
	keys := map[string]bool{}
	for _, h := range all {
		keys[h["key"].(string)] = true
	}
	if len(all) < 30 || len(keys) != len(all) {
		t.Errorf("--limit 0 printed %d hits, %d distinct", len(all), len(keys))
	}
	if n := strings.Count(remote[2].stdout, "\n"); n != 11 {
		t.Errorf("--limit 10 --format csv printed %d lines:\n%s", n, remote[2].stdout)
	}
	if len(jsonLines(t, []byte(remote[4].stdout))) == 0 {
		t.Errorf("title search found nothing: %q", title)
	}
	for _, h := range jsonLines(t, []byte(remote[3].stdout)) {
		if h["site"] != "japan" || h["published"].(string) < days[1] {
			t.Errorf("filtered search returned %v", h)
		}
	}
	if r := remote[13]; r.code != 1 || !strings.Contains(r.stderr, "pravda search: query: at character") {
		t.Errorf("malformed query through the daemon: exit %d, %q", r.code, r.stderr)
	}
	if r := remote[15]; r.code != 0 || !strings.Contains(r.stdout, "japan:") || !strings.Contains(r.stdout, "hub:") || strings.Contains(r.stdout, "francais:") {
		t.Errorf("search of two sites on one day: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if rows := jsonLines(t, []byte(remote[7].stdout)); len(rows) != 3 {
		t.Errorf("counts by site: %v", rows)
	}
}

// TestSearchIndexesQueueAndFallsBack: a serve.addr that nothing (or something else)
// answers at is reported and passed over; articles a crawl left queued are indexed
// before the search; a held index fails fast; counts without a query need no index.
func TestSearchIndexesQueueAndFallsBack(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 31, Days: 2, PerDay: 8, Sites: []string{"japan", "deutsch"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data, "--no-index")...)
	queued := queueLen(t, data)
	wantJA := 0
	for _, tr := range expected(srv.Network.Truth()) {
		if tr.Lang == "ja" {
			wantJA++
		}
	}
	if queued == 0 || wantJA == 0 {
		t.Fatalf("%d articles queued after crawl --no-index, %d Japanese", queued, wantJA)
	}

	// A daemon killed with -9 leaves its address behind; nothing listens there now.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	addrPath := filepath.Join(data, addrFile)
	if err := os.WriteFile(addrPath, []byte(dead+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	search := []string{"search", "--data", data, "--format", "jsonl", "--limit", "0", "lang:ja"}
	note := fmt.Sprintf("pravda: no daemon answers at %q (stale %s); opening the index directly\n", dead, addrPath)
	r := runAll(search...)
	if r.code != 0 || r.stderr != note+fmt.Sprintf("indexing %d queued articles…\n", queued) {
		t.Fatalf("search with a stale address and a queue: exit %d\n%s", r.code, r.stderr)
	}
	if got := len(jsonLines(t, []byte(r.stdout))); got != wantJA {
		t.Errorf("search found %d Japanese articles, the crawl archived %d", got, wantJA)
	}
	if n := queueLen(t, data); n != 0 {
		t.Errorf("%d articles still queued after the search", n)
	}
	// Indexed once: the next search has nothing to index and says nothing of it.
	if again := runAll(search...); again.stderr != note || again.stdout != r.stdout {
		t.Errorf("second search: stderr %q, same hits %v", again.stderr, again.stdout == r.stdout)
	}

	// Something else took the port: not a daemon, passed over the same way.
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	otherAddr := strings.TrimPrefix(other.URL, "http://")
	os.WriteFile(addrPath, []byte(otherAddr+"\n"), 0o644)
	if r := runAll("counts", "--data", data, "--by", "site", "lang:ja"); r.code != 0 || !strings.Contains(r.stderr, "no daemon answers at \""+otherAddr) || !strings.Contains(r.stdout, "japan") {
		t.Errorf("counts with a foreign server at serve.addr: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Another process holds the index: a clear error within seconds, never a hang.
	os.WriteFile(addrPath, []byte(dead+"\n"), 0o644)
	x, err := index.Open(filepath.Join(data, "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	start := time.Now()
	r = runAll(search...)
	if r.code == 0 || !strings.HasPrefix(r.stderr, note) || !errorsLocked(r.stderr) {
		t.Errorf("search on a held index: exit %d\n%s", r.code, r.stderr)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("search on a held index took %s to fail", took)
	}
	// Counts without a query come from the catalog alone.
	if r := runAll("counts", "--data", data, "--by", "site", "--format", "jsonl"); r.code != 0 || len(jsonLines(t, []byte(r.stdout))) != 2 {
		t.Errorf("archive-wide counts with the index held: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func errorsLocked(stderr string) bool {
	return strings.Contains(stderr, "pravda search: ") && strings.Contains(stderr, "locked") && strings.Contains(stderr, "pravda serve")
}

func queueLen(t *testing.T, data string) int64 {
	t.Helper()
	cat, err := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	n, err := cat.QueueLen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSearchEmptyDataDir: a data directory with nothing in it yet searches to no hits;
// counts on a directory that does not exist fail as before.
func TestSearchEmptyDataDir(t *testing.T) {
	data := t.TempDir()
	if r := runAll("search", "--data", data, "東京"); r.code != 0 || r.stdout != "KEY  PUBLISHED  LANG  TITLE\n0 of 0 hits\n" || r.stderr != "" {
		t.Errorf("search on an empty data dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runAll("counts", "--data", data, "--by", "site", "東京"); r.code != 0 || r.stdout != "  SITE  count  total  ratio\n" {
		t.Errorf("counts on an empty data dir: exit %d\n%q%s", r.code, r.stdout, r.stderr)
	}
	if r := runAll("counts", "--data", data, "--from", "2025-02-01", "--to", "2025-01-31"); r.code != 1 || r.stderr != "pravda counts: --from 2025-02-01 is after --to 2025-01-31\n" {
		t.Errorf("--from after --to: exit %d\n%s", r.code, r.stderr)
	}
	if r := runAll("counts", "--data", filepath.Join(data, "missing", "dir")); r.code != 1 || !strings.Contains(r.stderr, "open catalog") {
		t.Errorf("counts on a missing data dir: exit %d\n%s", r.code, r.stderr)
	}
}

func TestSearchAPIErrorIsQueryError(t *testing.T) {
	_, perr := query.Parse("(東京 OR")
	var want *query.Error
	if !errors.As(perr, &want) {
		t.Fatalf("parse: %v", perr)
	}
	body := fmt.Sprintf(`{"error": %q, "position": %d}`, want.Error(), want.Pos)
	err := apiError(400, []byte(body), "test")
	var got *query.Error
	if !errors.As(err, &got) || *got != *want || err.Error() != want.Error() {
		t.Errorf("apiError: %#v (%v), want %#v", err, err, want)
	}
	if err := apiError(400, []byte(`{"error":"size \"0\": want 1 to 200"}`), "test"); err.Error() != `size "0": want 1 to 200` {
		t.Errorf("apiError: %v", err)
	}
	if err := apiError(502, []byte("<html>bad gateway</html>"), "daemon at x"); err.Error() != "daemon at x: 502 Bad Gateway" {
		t.Errorf("apiError: %v", err)
	}
}

func TestServeAddrDialable(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8080": "127.0.0.1:8080",
		"0.0.0.0:8080":   "127.0.0.1:8080",
		"[::]:8080":      "[::1]:8080",
		":8080":          "127.0.0.1:8080",
		"[::1]:9":        "[::1]:9",
		"example:80":     "example:80",
		"garbage":        "garbage",
	} {
		if got := dialable(in); got != want {
			t.Errorf("dialable(%q) = %q, want %q", in, got, want)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/sim"
)

func TestCrawlArchivesAllOfTheTruthOnce(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 7, Days: 3, PerDay: 8, Sites: []string{"japan", "hub", "francais", "canada"}})
	data := t.TempDir()
	sum := crawlSummary(t, run(t, crawlArgs(srv, ca, data)...))
	want := expected(srv.Network.Truth())
	checkCatalog(t, data, want)
	if sum.New != len(want) || sum.Failed != 0 {
		t.Errorf("summary: %d new, %d failed; want %d new", sum.New, sum.Failed, len(want))
	}
	st := srv.Network.Stats()
	if st.ArticlePages != int64(len(want)) {
		t.Errorf("%d article page requests for %d articles: each should be fetched once", st.ArticlePages, len(want))
	}
	if st.OffScope != 0 || st.Disallowed != 0 {
		t.Errorf("off-scope %d, disallowed %d requests", st.OffScope, st.Disallowed)
	}
	out := run(t, "verify", "--data", data)
	if !containsLine(out, "verify: OK") {
		t.Fatalf("verify: %s", out)
	}
}

func TestIncrementalPassFetchesOnlyNew(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 3, Days: 2, PerDay: 10, Sites: []string{"japan", "hub"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	before := srv.Network.Stats()
	added := srv.Network.Publish(4)
	sum := crawlSummary(t, run(t, crawlArgs(srv, ca, data)...))
	after := srv.Network.Stats()
	if sum.New != len(added) {
		t.Fatalf("second pass stored %d new articles, the network published %d", sum.New, len(added))
	}
	if got := after.ArticlePages - before.ArticlePages; got != int64(len(added)) {
		t.Fatalf("second pass fetched %d article pages for %d new articles", got, len(added))
	}
	t.Logf("incremental pass: %d requests for %d new articles (%.2f per new article)", sum.Requests, sum.New, sum.PerNew)
	if sum.PerNew > 4 {
		t.Errorf("%.2f requests per new article: discovery is paging too far back", sum.PerNew)
	}
	checkCatalog(t, data, expected(srv.Network.Truth()))
}

func TestFaultsLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out real Retry-After and slow responses")
	}
	// Every fault at once, on a small network: the robots fault's Crawl-delay: 1 makes
	// this pass take one second per page per host, as it should.
	srv, ca := simNet(t, sim.Config{Seed: 15, Days: 2, PerDay: 8, Sites: []string{"japan", "francais", "deutsch"},
		Faults: []string{"all"}})
	data := t.TempDir()
	sum := crawlSummary(t, run(t, crawlArgs(srv, ca, data, "--workers", "12", "--backoff", "200ms")...))
	want := expected(srv.Network.Truth())
	checkCatalog(t, data, want)
	st := srv.Network.Stats()
	disallowed, oversize := 0, 0
	for _, tr := range srv.Network.Truth() {
		if tr.Disallowed {
			disallowed++
		} else if slices.Contains(tr.Faults, "oversize") {
			oversize++ // and checkCatalog found it despite its 20 MiB
		}
	}
	if disallowed == 0 || oversize == 0 || st.Faults["429"] == 0 {
		t.Errorf("seed exercises too little: %d disallowed, %d oversize, faults %v", disallowed, oversize, st.Faults)
	}
	if st.Disallowed != 0 {
		t.Errorf("%d requests for robots-disallowed paths", st.Disallowed)
	}
	if st.OffScope != 0 {
		t.Errorf("%d off-scope requests: %v", st.OffScope, st.OffScopeHosts)
	}
	loops := 0
	for _, tr := range srv.Network.Truth() {
		if slices.Contains(tr.Faults, "redirectloop") && !tr.Disallowed {
			loops++
		}
	}
	if sum.Failed != loops {
		t.Errorf("%d fetches failed, want exactly the %d redirect loops", sum.Failed, loops)
	}
	if sum.ErrorsBy["http_429"] == 0 {
		t.Errorf("no 429 seen by the crawler: %v", sum.ErrorsBy)
	}
	t.Logf("faults fired %v; crawler saw %v; %d requests", st.Faults, sum.ErrorsBy, sum.Requests)
	out := run(t, "verify", "--data", data)
	if !containsLine(out, "verify: OK") {
		t.Fatalf("verify: %s", out)
	}
}

func TestTransportFaultsLoseNothing(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 12, Days: 3, PerDay: 25, Sites: []string{"japan", "hub", "deutsch"},
		Faults: []string{"429", "5xx", "reset", "truncate", "slow", "malformed"}})
	data := t.TempDir()
	sum := crawlSummary(t, run(t, crawlArgs(srv, ca, data, "--workers", "12", "--backoff", "100ms")...))
	checkCatalog(t, data, expected(srv.Network.Truth()))
	st := srv.Network.Stats()
	for _, f := range []string{"429", "5xx", "reset", "truncate", "slow"} {
		if st.Faults[f] == 0 {
			t.Errorf("fault %s never fired: the test proves nothing about it", f)
		}
	}
	if sum.Failed != 0 {
		t.Errorf("%d fetches failed for good", sum.Failed)
	}
	t.Logf("faults fired %v; crawler saw %v; %d requests for %d articles", st.Faults, sum.ErrorsBy, sum.Requests, sum.New)
	if out := run(t, "verify", "--data", data); !containsLine(out, "verify: OK") {
		t.Fatalf("verify: %s", out)
	}
}

func TestRecheckFindsEditsAndDeletions(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 5, Days: 3, PerDay: 12, Sites: []string{"japan", "hub"}, Faults: []string{"edit", "delete"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	sum := crawlSummary(t, run(t, crawlArgs(srv, ca, data, "--recheck", "30")...))
	cat := checkCatalog(t, data, expected(srv.Network.Truth()))
	edited, deleted := 0, 0
	for _, tr := range srv.Network.Truth() {
		a, err := cat.Article(context.Background(), siteKeyOf(tr), tr.ID)
		if err != nil || a == nil {
			t.Fatalf("%s missing", tr.Key)
		}
		switch {
		case tr.Deleted:
			deleted++
			if !a.Deleted() || a.DeleteStatus != tr.Gone {
				t.Errorf("%s: deleted on the site (%d) but not marked: %+v", tr.Key, tr.Gone, a.DeletedAt)
			}
		case tr.Edited:
			edited++
			if len(a.Versions) != 2 || a.Versions[1].Title != tr.TitleV2 {
				t.Errorf("%s: edited on the site, %d versions in the catalog", tr.Key, len(a.Versions))
			}
		default:
			if len(a.Versions) != 1 || a.Deleted() {
				t.Errorf("%s: unchanged on the site, but %d versions, deleted=%v", tr.Key, len(a.Versions), a.Deleted())
			}
		}
	}
	if edited == 0 || deleted == 0 {
		t.Fatalf("the simulator edited %d and deleted %d: nothing tested", edited, deleted)
	}
	if st := srv.Network.Stats(); st.ByStatus[304] == 0 {
		t.Errorf("recheck made no conditional GET that came back 304: %v", st.ByStatus)
	}
	if sum.Versions != edited || sum.Deletions != deleted {
		t.Errorf("recheck summary: %d versions, %d deletions; want %d, %d", sum.Versions, sum.Deletions, edited, deleted)
	}
}

func siteKeyOf(t sim.Truth) string {
	if t.Edition != "" {
		return t.Site + "/" + t.Edition
	}
	return t.Site
}

// TestKillAndResume kills real crawl processes with SIGKILL at random moments and checks
// that the resumed crawls end with exactly the uninterrupted result and a valid archive.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns and kills processes")
	}
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			srv, ca := simNet(t, sim.Config{Seed: seed, Days: 2, PerDay: 15, Sites: []string{"japan", "hub", "deutsch"},
				Faults: []string{"slow"}})
			data := t.TempDir()
			rng := rand.New(rand.NewPCG(uint64(seed), 99))
			kills := 0
			for attempt := 0; ; attempt++ {
				if attempt > 40 {
					t.Fatal("crawl never completed")
				}
				cmd := exec.Command(os.Args[0], crawlArgs(srv, ca, data, "--delay", "20ms", "--per-host", "2")...)
				cmd.Env = append(os.Environ(), "PRAVDA_MAIN=1")
				logf, _ := os.Create(filepath.Join(t.TempDir(), "out"))
				cmd.Stdout, cmd.Stderr = logf, logf
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				if kills < 4 {
					wait := time.Duration(100+rng.IntN(900)) * time.Millisecond
					select {
					case err := <-done:
						if err == nil {
							goto finished
						}
						t.Fatalf("crawl failed before the kill: %v", err)
					case <-time.After(wait):
						cmd.Process.Signal(syscall.SIGKILL)
						<-done
						kills++
						continue
					}
				}
				if err := <-done; err != nil {
					out, _ := os.ReadFile(logf.Name())
					t.Fatalf("resumed crawl failed: %v\n%s", err, out)
				}
				break
			}
		finished:
			t.Logf("seed %d: %d kills", seed, kills)
			checkCatalog(t, data, expected(srv.Network.Truth()))
			out := run(t, "verify", "--data", data)
			if !containsLine(out, "verify: OK") {
				t.Fatalf("verify after kills: %s", out)
			}
		})
	}
}

func containsLine(out []byte, line string) bool {
	for _, l := range splitLines(string(out)) {
		if l == line {
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/seeds"
	"github.com/pravda-archive/pravda/sim"
)

// TestMain lets a test re-execute this test binary as the pravda command (PRAVDA_MAIN=1),
// so kill -9 tests hit a real separate process without a build step.
func TestMain(m *testing.M) {
	if os.Getenv("PRAVDA_MAIN") == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// simNet starts a simulator for one test and returns it with the CA file written.
func simNet(t *testing.T, cfg sim.Config) (*sim.Server, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := sim.Start(ctx, cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); srv.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.Network.CA(), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

// crawlArgs is a quick but polite crawl of the simulator.
func crawlArgs(srv *sim.Server, ca, data string, extra ...string) []string {
	args := []string{"crawl", "--data", data, "--resolve", "*=" + srv.Addr, "--ca", ca, "--since", "all",
		"--sites", strings.Join(srv.Network.Sites(), ","),
		"--delay", "1ms", "--per-host", "4", "--per-ip", "16", "--log-level", "error", "--json"}
	return append(args, extra...)
}

// run runs the command line in-process and fails the test on a non-zero exit.
func run(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Main(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("pravda %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out.String(), errb.String())
	}
	return out.Bytes()
}

func crawlSummary(t *testing.T, out []byte) crawler.Summary {
	t.Helper()
	var s crawler.Summary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("summary: %v\n%s", err, out)
	}
	return s
}

// expected is the ground truth the crawler should have archived: every article a polite
// crawler may fetch (robots-disallowed ones excluded) and can fetch (a page that redirects
// to itself forever has no content to archive; the test checks it is logged as failed).
func expected(truth []sim.Truth) map[string]sim.Truth {
	m := map[string]sim.Truth{}
	for _, t := range truth {
		if !t.Disallowed && !slices.Contains(t.Faults, "redirectloop") {
			m[t.Key] = t
		}
	}
	return m
}

// checkCatalog asserts the catalog holds exactly the expected articles, each once, with the
// right (site, id) and canonical URL.
func checkCatalog(t *testing.T, data string, want map[string]sim.Truth) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	missing := 0
	for key, tr := range want {
		site, id, err := seeds.ParseKey(key)
		if err != nil {
			t.Fatal(err)
		}
		a, err := cat.Article(context.Background(), site, id)
		if err != nil || a == nil {
			missing++
			if missing <= 5 {
				t.Errorf("article %s (%s) not in the catalog: %v", key, tr.URL, err)
			}
			continue
		}
		if a.CanonicalURL != tr.CanonicalURL {
			t.Errorf("%s: canonical %s, want %s", key, a.CanonicalURL, tr.CanonicalURL)
		}
	}
	st, err := cat.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if missing > 0 || st.Articles != int64(len(want)) {
		t.Fatalf("catalog holds %d articles, %d missing, want exactly %d", st.Articles, missing, len(want))
	}
	return cat
}

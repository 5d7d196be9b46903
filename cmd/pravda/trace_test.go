package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/eval"
	"github.com/pravda-archive/pravda/sim"
)

// TestTraceFollowsChainsOffTheCrawl crawls one site of three: the network pages its
// articles credit on the other two are fetched, archived and ingested by the trace stage,
// and traced in turn, so every credited Japanese article still reaches its true root.
// Then `pravda trace` shows a chain, and `--refresh` fetches and traces an article the
// catalog did not hold.
func TestTraceFollowsChainsOffTheCrawl(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 9, Days: 3, PerDay: 20, Sites: []string{"japan", "hub", "francais"}})
	data := t.TempDir()
	run(t, "crawl", "--data", data, "--resolve", "*="+srv.Addr, "--ca", ca, "--since", "all", "--sites", "japan",
		"--delay", "1ms", "--per-host", "4", "--per-ip", "16", "--log-level", "error", "--json")
	cat := openTestCatalog(t, data)
	truth := srv.Network.Truth()
	var viaNetwork, offCrawl, checked int
	var fwdKey, missing string
	longest := 0
	for _, tr := range truth {
		if tr.Site != "japan" {
			if _, err := cat.ArticleByURL(t.Context(), tr.CanonicalURL); err == nil {
				offCrawl++
			} else if missing == "" && !tr.Deleted {
				missing = tr.URL
			}
			continue
		}
		if !tr.Credited || tr.Disallowed {
			continue
		}
		a, err := cat.ArticleByURL(t.Context(), tr.CanonicalURL)
		if err != nil {
			t.Fatalf("%s: %v", tr.Key, err)
		}
		checked++
		if !eval.SameRoot(eval.Root{Kind: tr.Origin.Kind, Channel: tr.Origin.Channel, Post: tr.Origin.Post,
			Outlet: tr.Origin.Outlet, URL: tr.Origin.URL}, a.Origin) {
			t.Errorf("%s: root %+v, want %+v (chain %v)", tr.Key, a.Origin, tr.Origin, tr.Chain)
		}
		if len(a.Hops) != len(tr.Chain) {
			t.Errorf("%s: %d hops for the chain %v", tr.Key, len(a.Hops), tr.Chain)
		}
		if tr.CreditKind == "network" {
			viaNetwork++
		}
		if len(tr.Chain) > longest {
			fwdKey, longest = tr.Key, len(tr.Chain)
		}
	}
	if viaNetwork == 0 || offCrawl == 0 || checked < 20 {
		t.Fatalf("%d checked, %d via network pages, %d pages of other sites ingested: the test says nothing", checked, viaNetwork, offCrawl)
	}
	if longest < 2 {
		t.Fatal("no chain of two hops or more on the Japanese site")
	}
	t.Logf("%d Japanese articles checked, %d through network pages; %d pages of other sites ingested while tracing", checked, viaNetwork, offCrawl)

	// The chain, hop by hop, as the CLI shows it.
	var rep traceReport
	if err := json.Unmarshal(run(t, "trace", fwdKey, "--data", data, "--json"), &rep); err != nil {
		t.Fatal(err)
	}
	var want sim.Truth
	for _, tr := range truth {
		if tr.Key == fwdKey {
			want = tr
		}
	}
	if len(rep.Hops) != longest || rep.LagSeconds == nil || rep.Inferred {
		t.Fatalf("trace %s: %+v", fwdKey, rep)
	}
	if got := time.Duration(*rep.LagSeconds) * time.Second; got != want.Published.Sub(want.Origin.Time) {
		t.Errorf("total lag %v, want %v", got, want.Published.Sub(want.Origin.Time))
	}
	for i, h := range rep.Hops {
		if h.Capture == "" || h.OriginTime == nil || h.StepSeconds == nil || h.Evidence == "" {
			t.Errorf("hop %d lacks evidence, capture or time: %+v", i+1, h)
		}
	}
	text := string(run(t, "trace", want.URL, "--data", data))
	for _, s := range []string{"origin chain:", "evidence: data-source-url on " + fwdKey, "archived: ", "total lag", "story"} {
		if !strings.Contains(text, s) {
			t.Errorf("trace output lacks %q:\n%s", s, text)
		}
	}

	// Not in the catalog: an error, unless --refresh may fetch it.
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"trace", missing, "--data", data}, &out, &errb); code != 1 {
		t.Errorf("trace of an article not in the catalog: exit %d, %s", code, errb.String())
	}
	if err := json.Unmarshal(run(t, "trace", missing, "--data", data, "--json", "--refresh",
		"--resolve", "*="+srv.Addr, "--ca", ca), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Article.URL == "" || rep.Article.Capture == "" {
		t.Errorf("refreshed article: %+v", rep.Article)
	}
	if code := Main(context.Background(), []string{"trace", "nonsense", "--data", data}, &out, &errb); code == 0 {
		t.Error("trace nonsense: exit 0")
	}
}

func openTestCatalog(t *testing.T, data string) *catalog.Catalog {
	t.Helper()
	cat, err := openCatalog(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

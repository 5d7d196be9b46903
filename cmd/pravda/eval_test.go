package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/eval"
	"github.com/pravda-archive/pravda/sim"
)

// writeTruth writes the simulator's ground truth where `pravda eval --truth` reads it.
func writeTruth(t *testing.T, srv *sim.Server) string {
	t.Helper()
	var buf bytes.Buffer
	if err := srv.Network.WriteTruth(&buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "truth.jsonl")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func evalReport(t *testing.T, srv *sim.Server, data string) *eval.Report {
	t.Helper()
	var r eval.Report
	if err := json.Unmarshal(run(t, "eval", "--truth", writeTruth(t, srv), "--data", data, "--json"), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// checkTargets asserts the targets for the trace stage on the simulator.
func checkTargets(t *testing.T, r *eval.Report) {
	t.Helper()
	if r.Evaluated == 0 || r.Credited == 0 || r.Uncredited == 0 {
		t.Fatalf("nothing to evaluate: %+v", r)
	}
	for name, s := range map[string]eval.Score{"credited kind": r.CreditedKind, "credited identity": r.CreditedIdentity} {
		if s.Precision < 0.99 || s.Recall < 0.99 {
			t.Errorf("%s: precision %.4f recall %.4f, want ≥ 0.99", name, s.Precision, s.Recall)
		}
	}
	if r.RootTime.Recall < 0.99 {
		t.Errorf("root time (lag) right for %.4f of the right roots", r.RootTime.Recall)
	}
	if r.Stories.F1 < 0.95 {
		t.Errorf("story pairs F1 %.4f (P %.4f R %.4f), want ≥ 0.95", r.Stories.F1, r.Stories.Precision, r.Stories.Recall)
	}
	if s := r.UncreditedIdentity; s.Claimed == 0 || s.Precision < 0.95 {
		t.Errorf("uncredited attribution: %d claimed, precision %.4f, want ≥ 0.95", s.Claimed, s.Precision)
	}
	t.Logf("credited identity P %.4f R %.4f; uncredited P %.4f R %.4f (with evidence), R %.4f (all); stories P %.4f R %.4f F1 %.4f",
		r.CreditedIdentity.Precision, r.CreditedIdentity.Recall, r.UncreditedIdentity.Precision, r.UncreditedIdentity.Recall,
		r.UncreditedIdentityAll.Recall, r.Stories.Precision, r.Stories.Recall, r.Stories.F1)
}

// TestTraceStageMeetsTargets crawls the simulated network (with transport faults, edits
// and deletions), lets the trace stage run after the pass, and scores the catalog against
// the simulator's truth with `pravda eval`. A second pass with new stories must keep the
// scores and leave the first pass's stories as they were.
func TestTraceStageMeetsTargets(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 5, Days: 3, PerDay: 20,
		Faults: []string{"5xx", "reset", "truncate", "edit", "delete", "malformed", "hostile"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data, "--backoff", "50ms")...)
	r := evalReport(t, srv, data)
	checkTargets(t, r)
	table := run(t, "eval", "--truth", writeTruth(t, srv), "--data", data)
	if !bytes.Contains(table, []byte("credited: origin identity")) {
		t.Errorf("table:\n%s", table)
	}
	t.Logf("\n%s", table)

	cat := checkCatalog(t, data, expected(srv.Network.Truth()))
	before := storyIDs(t, cat)
	cat.Close()
	if testing.Short() {
		return
	}
	added := srv.Network.Publish(4)
	run(t, crawlArgs(srv, ca, data, "--backoff", "50ms")...)
	checkTargets(t, evalReport(t, srv, data))
	cat = checkCatalog(t, data, expected(srv.Network.Truth()))
	after := storyIDs(t, cat)
	for key, id := range before {
		if after[key] != id {
			t.Errorf("%s moved from story %d to %d in a pass that did not touch it", key, id, after[key])
		}
	}
	t.Logf("second pass: %d new editions; %d stories before, %d after", len(added), countDistinct(before), countDistinct(after))
}

func countDistinct(m map[string]int64) int {
	s := map[int64]bool{}
	for _, v := range m {
		s[v] = true
	}
	return len(s)
}

func storyIDs(t *testing.T, cat *catalog.Catalog) map[string]int64 {
	t.Helper()
	rows, err := cat.LinkedArticles(t.Context(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int64{}
	for _, r := range rows {
		if r.StoryID != 0 {
			m[r.Site+":"+strconv.FormatInt(r.ID, 10)] = r.StoryID
		}
	}
	return m
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/origin"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pravda-archive/pravda/sim"
)

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

func TestEvalExperiment(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 5, Days: 3, PerDay: 20, Faults: []string{"5xx", "reset", "truncate", "edit", "delete", "malformed", "hostile"}})
	data := t.TempDir()
	var out, errb bytes.Buffer
	Main(context.Background(), crawlArgs(srv, ca, data, "--log-level", "info"), &out, &errb)
	for _, l := range strings.Split(errb.String(), "\n") {
		if strings.Contains(l, "trace stage") {
			t.Log(l)
		}
	}
	t.Logf("\n%s", run(t, "eval", "--truth", writeTruth(t, srv), "--data", data))
}

func TestDebugStories(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 11, Days: 3, PerDay: 20})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	cat, err := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	truth := map[string]sim.Truth{}
	for _, tr := range srv.Network.Truth() {
		truth[tr.Key] = tr
	}
	rows, _ := cat.LinkedArticles(context.Background(), "", "", false)
	by := map[int64][]catalog.Linked{}
	for _, r := range rows {
		if r.StoryID != 0 {
			by[r.StoryID] = append(by[r.StoryID], r)
		}
	}
	bad := 0
	for id, ms := range by {
		stories := map[string]bool{}
		for _, m := range ms {
			stories[truth[fmt.Sprintf("%s:%d", m.Site, m.ID)].Story] = true
		}
		if len(stories) > 1 && bad < 6 {
			bad++
			meth, _ := cat.StoryMethod(context.Background(), id)
			t.Logf("story %d (%s): %d members, %d truth stories", id, meth, len(ms), len(stories))
			for _, m := range ms {
				tr := truth[fmt.Sprintf("%s:%d", m.Site, m.ID)]
				t.Logf("   %s:%d %s credited=%v src=%s origin=%s/%s%s imgs=%v alts=%d", m.Site, m.ID, tr.Story, tr.Credited, m.SourceURL, m.Origin.Kind, m.Origin.URL, m.Origin.Channel, m.Images, len(m.Alternates))
			}
		}
	}
}

func TestDebugPair(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 11, Days: 3, PerDay: 20})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	cat, _ := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	defer cat.Close()
	for _, p := range [][2]int64{{974384, 974383}} {
		a, _ := cat.Article(context.Background(), "deutsch", p[0])
		b, _ := cat.Article(context.Background(), "deutsch", p[1])
		t.Logf("A: %s\n%s\n\nB: %s\n%s\nJ=%.3f", a.Title, a.Versions[0].Text, b.Title, b.Versions[0].Text,
			origin.Jaccard(origin.Shingles(a.Title+"\n"+a.Versions[0].Text, 5), origin.Shingles(b.Title+"\n"+b.Versions[0].Text, 5)))
		t.Logf("hops A: %+v", a.Hops)
	}
}

func TestDebugDist(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 11, Days: 3, PerDay: 20})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	cat, _ := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	defer cat.Close()
	truth := map[string]sim.Truth{}
	for _, tr := range srv.Network.Truth() {
		truth[tr.Key] = tr
	}
	rows, _ := cat.LinkedArticles(context.Background(), "", "", true)
	sets := make([][]uint64, len(rows))
	for i, r := range rows {
		sets[i] = origin.Shingles(r.Title+"\n"+r.Text, 5)
	}
	hist := map[bool][]int{true: make([]int, 21), false: make([]int, 21)}
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			jac := origin.Jaccard(sets[i], sets[j])
			if jac < 0.3 {
				continue
			}
			ti, tj := truth[fmt.Sprintf("%s:%d", rows[i].Site, rows[i].ID)], truth[fmt.Sprintf("%s:%d", rows[j].Site, rows[j].ID)]
			same := ti.Story == tj.Story
			hist[same][int(jac*20)]++
			if !same && jac > 0.8 {
				t.Logf("FALSE %.2f %s %s\n%s\n---\n%s", jac, ti.Key, tj.Key, rows[i].Text, rows[j].Text)
			}
		}
	}
	for b := 6; b <= 20; b++ {
		t.Logf("J %.2f: same %4d  diff %4d", float64(b)/20, hist[true][b], hist[false][b])
	}
}

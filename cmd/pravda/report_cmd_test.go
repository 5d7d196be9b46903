package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/report"
	"github.com/pravda-archive/pravda/sim"
)

func reportJSON(t *testing.T, args ...string) *report.Day {
	t.Helper()
	out := run(t, append([]string{"report", "daily", "--format", "json"}, args...)...)
	var d report.Day
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	return &d
}

// TestReportMatchesTheTruth counts the simulator's articles per site and day itself and
// compares with `pravda report daily --format json`, in UTC and in Tokyo.
func TestReportMatchesTheTruth(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 9, Days: 4, PerDay: 10, Sites: []string{"japan", "hub", "canada"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	want := expected(srv.Network.Truth())
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []*time.Location{time.UTC, tokyo} {
		truth := map[string]map[string]int64{} // day → site → articles
		for _, tr := range want {
			day := tr.Published.In(zone).Format("2006-01-02")
			if truth[day] == nil {
				truth[day] = map[string]int64{}
			}
			truth[day][siteKeyOf(tr)]++
		}
		if len(truth) < 4 {
			t.Fatalf("the truth spans %d days", len(truth))
		}
		for day, sites := range truth {
			d := reportJSON(t, "--data", data, "--date", day, "--zone", zone.String())
			var total int64
			for site, n := range sites {
				total += n
				i := slices.IndexFunc(d.BySite, func(c report.Count) bool { return c.Key == site })
				if i < 0 || d.BySite[i].N != n {
					t.Errorf("%s %s %s: report %+v, truth %d", zone, day, site, d.BySite, n)
				}
			}
			if d.Total.N != total || d.Date != day {
				t.Errorf("%s %s: report total %d for %s, truth %d", zone, day, d.Total.N, d.Date, total)
			}
		}
	}

	// --out writes every format.
	out := filepath.Join(t.TempDir(), "r")
	day := time.Now().UTC().Format("2006-01-02")
	run(t, "report", "daily", "--data", data, "--date", day, "--out", out)
	for _, ext := range []string{"csv", "json", "md", "html", "svg"} {
		if st, err := os.Stat(filepath.Join(out, day+"."+ext)); err != nil || st.Size() == 0 {
			t.Errorf("--out: %s.%s: %v", day, ext, err)
		}
	}
	var errb bytes.Buffer
	if code := Main(context.Background(), []string{"report", "daily", "--data", data, "--format", "pdf"}, &bytes.Buffer{}, &errb); code != 1 {
		t.Errorf("--format pdf: exit %d %s", code, errb.String())
	}
	if code := Main(context.Background(), []string{"report", "weekly"}, &bytes.Buffer{}, &errb); code != 2 {
		t.Errorf("report weekly: exit %d", code)
	}
}

// TestReportFlagsABurst publishes a burst on top of a quiet week: the burst's day is
// flagged as a spike, the day before is not.
func TestReportFlagsABurst(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 2, Days: 9, PerDay: 3, Sites: []string{"japan"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data)...)
	burst := srv.Network.Publish(40)
	run(t, crawlArgs(srv, ca, data)...)
	now := time.Now().UTC()
	today := reportJSON(t, "--data", data, "--date", now.Format("2006-01-02"))
	yesterday := reportJSON(t, "--data", data, "--date", now.AddDate(0, 0, -1).Format("2006-01-02"))
	if !slices.ContainsFunc(today.Spikes, func(s report.Spike) bool { return s.Scope == "site" && s.Key == "japan" }) {
		t.Errorf("a burst of %d articles on a site doing %v is not flagged: %+v", len(burst), today.BySite, today.Spikes)
	}
	if len(yesterday.Spikes) != 0 {
		t.Errorf("an ordinary day is flagged: %+v", yesterday.Spikes)
	}
	for _, c := range yesterday.BySite {
		if c.Spike {
			t.Errorf("ordinary day: %s flagged", c.Key)
		}
	}
}

package report

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/catalog"
)

func baselineOf(xs []int64) Baseline {
	b := Baseline{Days: len(xs)}
	for _, x := range xs {
		b.Mean += float64(x)
	}
	b.Mean /= float64(len(xs))
	for _, x := range xs {
		b.StdDev += (float64(x) - b.Mean) * (float64(x) - b.Mean)
	}
	b.StdDev = math.Sqrt(b.StdDev / float64(len(xs)-1))
	return b
}

func TestSpikeRule(t *testing.T) {
	var r SpikeRule // the defaults
	rng := rand.New(rand.NewPCG(3, 4))

	// A site doing ~100 a day with 20% noise, uniform or normal, is never
	// flagged on an ordinary day.
	for i := range 20000 {
		week := make([]int64, 8)
		for j := range week {
			if i%2 == 0 {
				week[j] = 80 + rng.Int64N(41)
			} else {
				week[j] = int64(math.Round(100 + 20*rng.NormFloat64()))
			}
		}
		if b := baselineOf(week[:7]); r.Flags(week[7], b) {
			t.Fatalf("ordinary week %v flagged (threshold %.1f)", week, r.Threshold(b))
		}
	}

	cases := []struct {
		name string
		week []int64
		n    int64
		want bool
	}{
		{"silent week then 400", []int64{0, 0, 0, 0, 0, 0, 0}, 400, true},
		{"silent week then 3", []int64{0, 0, 0, 0, 0, 0, 0}, 3, false},
		{"silent week then 19, under the minimum", []int64{0, 0, 0, 0, 0, 0, 0}, 19, false},
		{"tiny site tripling", []int64{2, 3, 1, 2, 2, 3, 1}, 6, false},
		{"~100 then 422 in 4 hours on top", []int64{96, 104, 88, 115, 101, 93, 110}, 100 + 422, true},
		{"~100 then 190", []int64{96, 104, 88, 115, 101, 93, 110}, 190, false},
		{"~100 then 250", []int64{96, 104, 88, 115, 101, 93, 110}, 250, true},
		{"volatile week, more of the same", []int64{0, 0, 0, 400, 0, 0, 0}, 400, false},
		{"hub ~2000 then 3000", []int64{1900, 2100, 2000, 2050, 1950, 2000, 2000}, 3000, false},
		{"hub ~2000 then 5000", []int64{1900, 2100, 2000, 2050, 1950, 2000, 2000}, 5000, true},
	}
	for _, c := range cases {
		b := baselineOf(c.week)
		if got := r.Flags(c.n, b); got != c.want {
			t.Errorf("%s: flagged %v, want %v (threshold %.1f)", c.name, got, c.want, r.Threshold(b))
		}
	}

	// Too little history: nothing is flagged, whatever the count.
	if r.Flags(1000, Baseline{Days: 2}) || !math.IsInf(r.Threshold(Baseline{}), 1) {
		t.Error("flagged without history")
	}
	// Custom rules take effect field by field.
	strict := SpikeRule{Min: 500}
	if strict.Flags(400, Baseline{Days: 7}) || !strict.Flags(500, Baseline{Days: 7}) {
		t.Error("custom minimum ignored")
	}
	if s := r.String(); !strings.Contains(s, "20") || !strings.Contains(s, "2×mean") {
		t.Errorf("rule text %q", s)
	}
}

// burstFixture: a normal fortnight for France and Serbia (80 to 120 a day),
// a Balkan site silent all along; then on the report day Serbia publishes
// 422 items in four hours from one channel on top of its normal day, and
// the Balkan site wakes up with 400.
func burstFixture(t testing.TB) *fixture {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(5, 6))
	for i := -14; i <= 0; i++ {
		day := reportDay.AddDate(0, 0, i)
		f.addDay(r, "france", day, 80+r.IntN(41))
		f.addDay(r, "serbia", day, 80+r.IntN(41))
	}
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, cet)
	burst := catalog.Origin{Kind: "telegram", Channel: "burst_channel", Platform: "telegram"}
	for i := range 422 {
		f.add("serbia", start.Add(time.Duration(i)*4*time.Hour/422), burst)
	}
	for i := range 400 {
		f.add("balkan", start.Add(time.Duration(i)*time.Minute), testOrigins[2])
	}
	f.flush()
	return f
}

func TestBurstIsSpike(t *testing.T) {
	f := burstFixture(t)
	for _, opts := range []Options{{}, {Zone: tokyo}, {SiteLocal: true}} {
		d := f.report(reportDay, opts)
		flagged := map[string]Spike{}
		for _, s := range d.Spikes {
			flagged[s.Scope+":"+s.Key] = s
		}
		// Balkan's 400 all credit TASS, which lifts TASS far above its
		// ~40 a day too.
		for _, want := range []string{"site:serbia", "site:balkan", "origin:burst_channel", "origin:tass"} {
			s, ok := flagged[want]
			if !ok {
				t.Errorf("%s: %s not flagged; spikes %+v", d.Zone, want, d.Spikes)
				continue
			}
			if float64(s.N) < s.Threshold {
				t.Errorf("%s: %s flagged at %d under its threshold %.1f", d.Zone, want, s.N, s.Threshold)
			}
		}
		if len(d.Spikes) != 4 {
			t.Errorf("%s: %d spikes, want 4: %+v", d.Zone, len(d.Spikes), d.Spikes)
		}
		if b := flagged["site:balkan"].Baseline; b.Days != 7 || b.Mean != 0 {
			t.Errorf("%s: Balkan baseline %+v, want 7 silent days", d.Zone, b)
		}
		for _, c := range d.BySite {
			if c.Spike != (c.Key == "serbia" || c.Key == "balkan") {
				t.Errorf("%s: site %s spike=%v", d.Zone, c.Key, c.Spike)
			}
		}
		// The CSV rows carry the flags.
		for _, r := range d.Rows {
			site := r.Site == "serbia" || r.Site == "balkan"
			origin := r.OriginID == "burst_channel" || r.OriginID == "tass"
			want := map[[2]bool]string{{true, true}: "site+origin", {true, false}: "site", {false, true}: "origin"}[[2]bool{site, origin}]
			if r.Count > 0 && r.Spike != want {
				t.Errorf("%s: row %s/%s/%s spike %q, want %q", d.Zone, r.Site, r.OriginKind, r.OriginID, r.Spike, want)
			}
		}
	}

	// The days before were normal: nothing flagged.
	for back := 1; back <= 5; back++ {
		if d := f.report(reportDay.AddDate(0, 0, -back), Options{SiteLocal: true}); len(d.Spikes) != 0 {
			t.Errorf("%s: spikes on a normal day: %+v", d.Date, d.Spikes)
		}
	}
}

// A fresh archive has no history: its first day is not a spike.
func TestFirstDayNoSpike(t *testing.T) {
	f := newFixture(t)
	for i := range 400 {
		f.add("balkan", time.Date(2025, 3, 1, 10, 0, i, 0, cet), testOrigins[0])
	}
	f.flush()
	d := f.report(reportDay, Options{SiteLocal: true})
	if d.Total.N != 400 || len(d.Spikes) != 0 || d.Total.Baseline.Days != 0 {
		t.Errorf("first day: total %d, baseline %+v, spikes %+v", d.Total.N, d.Total.Baseline, d.Spikes)
	}
}

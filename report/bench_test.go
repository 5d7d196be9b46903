package report

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkDaily reports on a catalog holding benchPerDay articles a day
// (PRAVDA_BENCH_PER_DAY overrides; the whole network is ~10,000) for the 33
// days a report reads, spread over 20 sites.
func BenchmarkDaily(b *testing.B) {
	perDay := 2000
	if v, err := strconv.Atoi(os.Getenv("PRAVDA_BENCH_PER_DAY")); err == nil && v > 0 {
		perDay = v
	}
	f := newFixture(b)
	r := rand.New(rand.NewPCG(7, 8))
	sites := []string{"japan", "serbia", "france", "canada/en", "balkan"}
	start := time.Now()
	for i := -32; i <= 0; i++ {
		for j := range 20 {
			f.addDay(r, sites[j%len(sites)], reportDay.AddDate(0, 0, i), perDay/20)
		}
		f.flush()
	}
	b.Logf("catalog of %d articles built in %v", len(f.arts), time.Since(start))
	f.arts = nil // not needed: keep the heap small

	for name, opts := range map[string]Options{"utc": {}, "tokyo": {Zone: tokyo}, "site-local": {SiteLocal: true}} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f.report(reportDay, opts)
			}
		})
	}
}

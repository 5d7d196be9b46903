package report

import (
	"database/sql"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(7, 8))
	sites := []string{"japan", "serbia", "france", "canada/en", "balkan"}
	for i := -32; i <= 0; i++ {
		for j := range 20 {
			f.addDay(r, sites[j%len(sites)], reportDay.AddDate(0, 0, i), 100)
		}
		f.flush()
	}
	for name, opts := range map[string]Options{"utc": {}, "site-local": {SiteLocal: true}} {
		for range 3 {
			s, c := time.Now(), cpuNow()
			f.report(reportDay, opts)
			t.Logf("%s: %d arts wall %v cpu %v", name, len(f.arts), time.Since(s).Round(time.Millisecond), (cpuNow() - c).Round(time.Millisecond))
		}
	}
}

func TestZZCovering(t *testing.T) {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(7, 8))
	sites := []string{"japan", "serbia", "france", "canada/en", "balkan"}
	for i := -32; i <= 0; i++ {
		for j := range 20 {
			f.addDay(r, sites[j%len(sites)], reportDay.AddDate(0, 0, i), 100)
		}
		f.flush()
	}
	db, _ := sql.Open("sqlite", "file:"+f.cat.Path()+"?_pragma=busy_timeout(10000)")
	if _, err := db.Exec("CREATE INDEX zz_cover ON articles(published_day, site, lang, origin_kind, origin_id, published)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 3 {
		s, c := time.Now(), cpuNow()
		f.report(reportDay, Options{})
		t.Logf("covering: wall %v cpu %v", time.Since(s).Round(time.Millisecond), (cpuNow() - c).Round(time.Millisecond))
	}
}

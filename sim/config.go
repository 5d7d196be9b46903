package sim

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/pravda-archive/pravda/seeds"
)

// DefaultSites are simulated when Config.Sites is empty: the Japanese site the project is
// about, the English hub, two language sites, a two-language country site (canada, with its
// /fr/ edition) and a Russian-language one.
var DefaultSites = []string{"japan", "hub", "francais", "deutsch", "canada", "abkhazia"}

// Config describes the world to simulate. The zero value is usable.
type Config struct {
	Seed      int64
	Days      int              // days of history before Now (default 3)
	PerDay    int              // articles per site (or edition) per day (default 20)
	Sites     []string         // names or hosts, as seeds.Registry.Select takes them (default DefaultSites)
	Faults    []string         // fault names (see faults.go); "all" enables every one
	Live      bool             // new stories keep appearing while Serve runs
	Pad       int              // pad every article page to at least this many bytes (memory benchmarks)
	LiveEvery time.Duration    // one new story per tick in Live mode (default 10s)
	Now       func() time.Time // clock (default time.Now); tests inject a fake one
	Registry  *seeds.Registry  // default seeds.Default()
	Logger    *slog.Logger     // default: discard
}

// Limits keep a mistyped flag from asking for a world that does not fit in memory.
const (
	maxDays   = 3660
	maxPerDay = 10000
)

func (c Config) withDefaults() (Config, error) {
	if c.Days < 0 || c.Days > maxDays {
		return c, fmt.Errorf("days %d: want 0..%d", c.Days, maxDays)
	}
	if c.PerDay < 0 || c.PerDay > maxPerDay {
		return c, fmt.Errorf("per-day %d: want 0..%d", c.PerDay, maxPerDay)
	}
	if c.Pad < 0 || c.Pad > oversizeSize {
		return c, fmt.Errorf("pad %d: want 0..%d bytes", c.Pad, oversizeSize)
	}
	if c.Days == 0 {
		c.Days = 3
	}
	if c.PerDay == 0 {
		c.PerDay = 20
	}
	if len(c.Sites) == 0 {
		c.Sites = DefaultSites
	}
	if c.LiveEvery <= 0 {
		c.LiveEvery = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Registry == nil {
		c.Registry = seeds.Default()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

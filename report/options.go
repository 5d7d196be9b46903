package report

import (
	"fmt"
	"math"
	"time"
)

// Options shape a report. The zero value reports every site by UTC day.
type Options struct {
	// Zone is the time zone whose calendar days are counted; nil means UTC.
	Zone *time.Location
	// SiteLocal counts each article on the site-local day the catalog
	// stores (the date in its URL) and ignores Zone. See the package doc.
	SiteLocal bool
	// Sites limits the report to these site names, matched exactly:
	// "canada" does not include "canada/en". Empty means every site.
	Sites []string
	// Top is how many outlets and Telegram channels are listed; 0 means 10.
	Top int
	// Spike is the rule that flags spikes; zero fields take the defaults.
	Spike SpikeRule
	// ChartSites is how many sites get their own colour in the chart, the
	// rest being stacked as "other"; 0 means 8, and at most 10 colours
	// stay distinguishable.
	ChartSites int
}

const (
	historyDays  = 30 // the chart's span, which also holds the baseline
	baselineDays = 7
	maxSites     = 1000 // sites in one filter, far above the ~200 of the network
)

func (o Options) zone() *time.Location {
	if o.Zone == nil {
		return time.UTC
	}
	return o.Zone
}

func (o Options) zoneName() string {
	if o.SiteLocal {
		return "site-local"
	}
	return o.zone().String()
}

func (o Options) top() int {
	if o.Top <= 0 {
		return 10
	}
	return o.Top
}

func (o Options) chartSites() int {
	if o.ChartSites <= 0 {
		return 8
	}
	return min(o.ChartSites, len(palette))
}

func (o Options) check() error {
	if len(o.Sites) > maxSites {
		return fmt.Errorf("%d sites in the filter, at most %d", len(o.Sites), maxSites)
	}
	return nil
}

// SpikeRule says when a count is far enough above its baseline to be
// flagged: n ≥ Min and n ≥ max(Factor·m, m + Sigmas·max(s, √m), m + Margin),
// with m and s the baseline's mean and standard deviation. The package doc
// explains the choice.
type SpikeRule struct {
	Min     int64   `json:"min"`      // default 20
	Factor  float64 `json:"factor"`   // default 2
	Sigmas  float64 `json:"sigmas"`   // default 3
	Margin  float64 `json:"margin"`   // default 10
	MinDays int     `json:"min_days"` // baseline days needed to flag anything; default 3
}

// DefaultSpikeRule is the rule a zero SpikeRule stands for.
var DefaultSpikeRule = SpikeRule{Min: 20, Factor: 2, Sigmas: 3, Margin: 10, MinDays: 3}

func (r SpikeRule) withDefaults() SpikeRule {
	d := DefaultSpikeRule
	if r.Min > 0 {
		d.Min = r.Min
	}
	if r.Factor > 0 {
		d.Factor = r.Factor
	}
	if r.Sigmas > 0 {
		d.Sigmas = r.Sigmas
	}
	if r.Margin > 0 {
		d.Margin = r.Margin
	}
	if r.MinDays > 0 {
		d.MinDays = min(r.MinDays, baselineDays)
	}
	return d
}

// Threshold is the smallest count that is a spike against b, or +Inf when
// b has too few days to judge.
func (r SpikeRule) Threshold(b Baseline) float64 {
	r = r.withDefaults()
	if b.Days < r.MinDays {
		return math.Inf(1)
	}
	m := b.Mean
	s := max(b.StdDev, math.Sqrt(m))
	return max(float64(r.Min), r.Factor*m, m+r.Sigmas*s, m+r.Margin)
}

// Flags reports whether n is a spike against b.
func (r SpikeRule) Flags(n int64, b Baseline) bool {
	return float64(n) >= r.Threshold(b)
}

// String states the rule for a report's reader.
func (r SpikeRule) String() string {
	r = r.withDefaults()
	return fmt.Sprintf("n ≥ %d and n ≥ max(%g×mean, mean + %g×max(sd, √mean), mean + %g) over the previous %d days (at least %d with data)",
		r.Min, r.Factor, r.Sigmas, r.Margin, baselineDays, r.MinDays)
}

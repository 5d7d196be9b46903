package report

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Day is the volume report of one day. Its slices are sorted largest first.
type Day struct {
	Date      string    `json:"date"`            // YYYY-MM-DD
	Zone      string    `json:"zone"`            // "UTC", "Asia/Tokyo", ... or "site-local"
	Sites     []string  `json:"sites,omitempty"` // the site filter; empty for every site
	Generated time.Time `json:"generated"`
	SpikeRule SpikeRule `json:"spike_rule"`

	Total        Count   `json:"total"`
	BySite       []Count `json:"by_site"`        // sites with any article in the last 8 days
	ByLang       []Count `json:"by_lang"`        // likewise per language
	ByOriginKind []Count `json:"by_origin_kind"` // Key "" is an unresolved origin
	TopOutlets   []Count `json:"top_outlets"`    // origins other than Telegram
	TopChannels  []Count `json:"top_channels"`   // Telegram channels
	Spikes       []Spike `json:"spikes"`
	// Rows is the finest breakdown, one row per site, language, origin
	// kind and origin id with articles on the day or the day before. It is
	// what the CSV holds; its counts sum to Total.N.
	Rows    []Row   `json:"rows"`
	History History `json:"history"`
}

// Count is one group's articles on the day, with what it is compared with.
type Count struct {
	Key      string   `json:"key"`             // site name, language, origin kind or origin id
	Kind     string   `json:"kind,omitempty"`  // the origin kind, for an origin
	Label    string   `json:"label,omitempty"` // display name from the seeds
	Lang     string   `json:"lang,omitempty"`  // language of the site, for rendering Label
	N        int64    `json:"n"`
	Prev     int64    `json:"prev"`   // the day before
	Change   int64    `json:"change"` // N − Prev
	Share    float64  `json:"share"`  // N over the report's total; 0 when that is 0
	Baseline Baseline `json:"baseline"`
	Spike    bool     `json:"spike"`
	Lag      *Lag     `json:"lag,omitempty"` // the total's and each site's
}

// Name is the label if the seeds give one, else the key.
func (c Count) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Key
}

// Baseline summarises the counts of the days before the report day.
type Baseline struct {
	// Days is how many of the previous seven days the archive covers;
	// days before its first article are left out.
	Days   int     `json:"days"`
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"` // sample standard deviation
}

// String is "mean ± sd", or "n/a" without history.
func (b Baseline) String() string {
	if b.Days == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f ± %.1f", b.Mean, b.StdDev)
}

// Spike is a site or an origin whose count is far above its baseline.
type Spike struct {
	Scope     string   `json:"scope"` // "site" or "origin"
	Key       string   `json:"key"`
	Kind      string   `json:"kind,omitempty"` // origin kind
	Label     string   `json:"label,omitempty"`
	Lang      string   `json:"lang,omitempty"`
	N         int64    `json:"n"`
	Baseline  Baseline `json:"baseline"`
	Threshold float64  `json:"threshold"` // the count that makes a spike
}

// Name is the label if the seeds give one, else the key.
func (s Spike) Name() string {
	if s.Label != "" {
		return s.Label
	}
	return s.Key
}

// Row is one line of the combined CSV.
type Row struct {
	Day        string   `json:"day"`
	Site       string   `json:"site"`
	Lang       string   `json:"lang"`
	OriginKind string   `json:"origin_kind"`
	OriginID   string   `json:"origin_id"`
	Count      int64    `json:"count"`
	Prev       int64    `json:"prev"`
	Baseline   Baseline `json:"baseline"`
	// Spike names what of the row was flagged: "site", "origin",
	// "site+origin", or "" for nothing.
	Spike string `json:"spike"`
}

// Lag is the republication lag of a day's articles: publication time minus
// the origin's, taken from the deepest hop of each origin chain whose lag is
// known.
type Lag struct {
	Articles int           // articles with a known lag
	Median   time.Duration // meaningless when Articles is 0
}

// String is the median rounded to the second, or "n/a".
func (l Lag) String() string {
	if l.Articles == 0 {
		return "n/a"
	}
	return l.Median.Round(time.Second).String()
}

// MarshalJSON writes the median in seconds, null when unknown.
func (l Lag) MarshalJSON() ([]byte, error) {
	var sec *float64
	if l.Articles > 0 {
		s := l.Median.Seconds()
		sec = &s
	}
	return json.Marshal(struct {
		Articles int      `json:"articles"`
		Median   *float64 `json:"median_seconds"`
		Text     string   `json:"median"`
	}{l.Articles, sec, l.String()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Lag) UnmarshalJSON(b []byte) error {
	var v struct {
		Articles int      `json:"articles"`
		Median   *float64 `json:"median_seconds"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	l.Articles, l.Median = v.Articles, 0
	if v.Median != nil && !math.IsNaN(*v.Median) {
		l.Median = time.Duration(*v.Median * float64(time.Second))
	}
	return nil
}

// History is the daily count of the last 30 days up to the report day, per
// site for the busiest sites and summed for the rest.
type History struct {
	Days   []string `json:"days"`
	Series []Series `json:"series"` // busiest first; "other" last if any
	Totals []int64  `json:"totals"`
}

// Series is one site's daily counts, aligned with History.Days.
type Series struct {
	Key    string  `json:"key"` // site name, or "" for all other sites
	Label  string  `json:"label"`
	Lang   string  `json:"lang,omitempty"`
	Counts []int64 `json:"counts"`
}

package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DayCount is the number of matching documents published on one day, as the site dates it.
type DayCount struct {
	Day   string // YYYY-MM-DD
	Count int
}

// DayCounts counts the documents matching a request per publication day, as the site
// dates it, in one pass over the hits. Days are ascending. With both From and To, or both
// FromDay and ToDay, set, every day of the range is present, zero or not. Size, Sort and
// After are ignored.
func (x *Index) DayCounts(ctx context.Context, r Request) ([]DayCount, error) {
	c, err := x.request(r)
	if err != nil {
		return nil, err
	}
	found, err := x.collect(ctx, c, r, plan{fields: []string{fieldDay}})
	if err != nil {
		return nil, err
	}
	counts := found.counts[fieldDay]
	if r.FromDay != "" && r.ToDay != "" {
		fillDays(counts, r.FromDay, r.ToDay)
	}
	if !r.From.IsZero() && !r.To.IsZero() {
		loc := r.From.Location()
		fillDays(counts, r.From.In(loc).Format(dayLayout), r.To.Add(-time.Nanosecond).In(loc).Format(dayLayout))
	}
	out := make([]DayCount, 0, len(counts))
	for _, d := range sortedKeys(counts) {
		out = append(out, DayCount{Day: d, Count: counts[d]})
	}
	return out, nil
}

const dayLayout = "2006-01-02"

// fillDays gives every day from first to last, inclusive, an entry in counts.
func fillDays(counts map[string]int, first, last string) {
	d, err := time.Parse(dayLayout, first)
	if err != nil {
		return
	}
	for ; d.Format(dayLayout) <= last; d = d.AddDate(0, 0, 1) {
		counts[d.Format(dayLayout)] += 0
	}
}

// TopTerms returns the n most frequent values of a keyword field among the documents
// matching a request: top sites, outlets, channels of a query. field is a query-language
// field name (site, lang, origin, outlet, channel, category, story, day). Counts are exact.
func (x *Index) TopTerms(ctx context.Context, r Request, field string, n int) ([]FacetCount, error) {
	f, ok := keywordFields[strings.ToLower(field)]
	if !ok {
		known := sortedKeys(keywordFields)
		return nil, fmt.Errorf("%w: no keyword field %q (want one of %s)", ErrBadRequest, field, strings.Join(known, ", "))
	}
	if n <= 0 || n > maxTopTerms {
		return nil, fmt.Errorf("%w: n %d not in 1..%d", ErrBadRequest, n, maxTopTerms)
	}
	c, err := x.request(r)
	if err != nil {
		return nil, err
	}
	found, err := x.collect(ctx, c, r, plan{fields: []string{f}})
	if err != nil {
		return nil, err
	}
	return slices.Clip(topCounts(found.counts[f], n)), nil
}

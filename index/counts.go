package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// DayCount is the number of matching documents published on one day, as the site dates it.
type DayCount struct {
	Day   string // YYYY-MM-DD
	Count int
}

// maxDays bounds the day facet of an open-ended range: 30 years.
const maxDays = 30 * 366

// DayCounts counts the documents matching a request per publication day, from a term facet
// on the day field (one pass, no per-day queries). Days are ascending. With both From and
// To set, every day of the range is present, zero or not. Size, Sort and After are ignored.
func (x *Index) DayCounts(ctx context.Context, r Request) ([]DayCount, error) {
	sr, _, err := x.request(r)
	if err != nil {
		return nil, err
	}
	size := maxDays
	bounded := !r.From.IsZero() && !r.To.IsZero()
	if bounded {
		size = int(r.To.Sub(r.From).Hours()/24) + 3 // zones can spill a day each side
	}
	sr.AddFacet(fieldDay, bleve.NewFacetRequest(fieldDay, size))
	res, err := x.run(ctx, sr, r)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	if fr := res.Facets[fieldDay]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			counts[t.Term] = t.Count
		}
	}
	if bounded {
		loc := r.From.Location()
		last := r.To.Add(-time.Nanosecond).In(loc).Format("2006-01-02")
		for d := r.From.In(loc); ; d = d.AddDate(0, 0, 1) {
			day := d.Format("2006-01-02")
			if day > last {
				break
			}
			counts[day] += 0
		}
	}
	out := make([]DayCount, 0, len(counts))
	for _, d := range sortedKeys(counts) {
		out = append(out, DayCount{Day: d, Count: counts[d]})
	}
	return out, nil
}

// TopTerms returns the n most frequent values of a keyword field among the documents
// matching a request: top sites, outlets, channels of a query. field is a query-language
// field name (site, lang, origin, outlet, channel, category, story, day). Counts are exact
// for fields with fewer than 1,000 values per month; for story they are a lower bound.
func (x *Index) TopTerms(ctx context.Context, r Request, field string, n int) ([]FacetCount, error) {
	f, ok := keywordFields[strings.ToLower(field)]
	if !ok {
		known := sortedKeys(keywordFields)
		return nil, fmt.Errorf("%w: no keyword field %q (want one of %s)", ErrBadRequest, field, strings.Join(known, ", "))
	}
	if n <= 0 || n > facetScan {
		return nil, fmt.Errorf("%w: n %d not in 1..%d", ErrBadRequest, n, facetScan)
	}
	sr, _, err := x.request(r)
	if err != nil {
		return nil, err
	}
	sr.AddFacet(f, bleve.NewFacetRequest(f, max(n, facetScan)))
	res, err := x.run(ctx, sr, r)
	if err != nil {
		return nil, err
	}
	out := facetCounts(res.Facets[f], n)
	return slices.Clip(out), nil
}

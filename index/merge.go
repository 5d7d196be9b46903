package index

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// DefaultMergeGrace is how long after a month ends MergeClosed waits before merging it:
// the network dates some articles a day or two late, and a recheck finds edits for days.
const DefaultMergeGrace = 72 * time.Hour

// MergeClosed force-merges, down to one segment, every month that ended more than grace
// before now and holds more than one. A month keeps taking the odd article after it ends
// (late dating, backfills, re-traced origins), so it is merged again whenever that has
// split it; a merged month is left alone, which makes the call cheap to repeat after every
// sync. It returns the months it merged.
func (x *Index) MergeClosed(ctx context.Context, now time.Time, grace time.Duration) ([]string, error) {
	var merged []string
	for _, m := range closedMonths(x.Months(), now, grace) {
		n, err := x.segments(m)
		if err != nil {
			return merged, err
		}
		if n <= 1 {
			continue
		}
		if err := x.ForceMerge(ctx, m); err != nil {
			return merged, err
		}
		x.opts.logger.Info("index: merged a closed month", "month", m, "segments", n)
		merged = append(merged, m)
	}
	return merged, nil
}

// closedMonths picks the months that ended more than grace before now.
func closedMonths(months []string, now time.Time, grace time.Duration) []string {
	var out []string
	for _, m := range months {
		start, err := time.Parse("2006-01", m)
		if err == nil && now.Sub(start.AddDate(0, 1, 0)) >= grace {
			out = append(out, m)
		}
	}
	return out
}

// segments counts a month's segments at the root of its current snapshot.
func (x *Index) segments(month string) (uint64, error) {
	idx, err := x.month(month, false)
	if err != nil || idx == nil {
		return 0, err
	}
	adv, err := idx.Advanced()
	if err != nil {
		return 0, fmt.Errorf("segments of %s: %w", month, err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return 0, nil
	}
	// The current snapshot, not scorch's stats: those are counted before a merge's
	// result joins the root, and lag behind it.
	r, err := s.Reader()
	if err != nil {
		return 0, fmt.Errorf("segments of %s: %w", month, err)
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil
	}
	return uint64(len(snap.Segments())), nil
}

package index

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/sync/errgroup"
)

// Index adds or replaces documents, in batches of the configured size. Re-indexing a Key
// replaces the document; when its month changed, the copy in the old month is deleted.
// Invalid documents are skipped and reported in the returned error (ErrInvalidDoc) after
// the rest are indexed. Within one call, the last document with a Key wins.
func (x *Index) Index(ctx context.Context, docs []Doc) error {
	x.write.Lock()
	defer x.write.Unlock()

	var invalid []error
	ready := make([]prepared, 0, len(docs))
	seen := make(map[string]int, len(docs))
	for i := range docs {
		p, err := prepare(&docs[i])
		if err != nil {
			invalid = append(invalid, err)
			continue
		}
		if j, ok := seen[p.key]; ok {
			ready[j] = p
			continue
		}
		seen[p.key] = len(ready)
		ready = append(ready, p)
	}
	// Batches of one month make one segment each; a batch spread over twelve months
	// would make twelve small ones and merge work to match. batches also never lets a
	// batch straddle two months.
	slices.SortStableFunc(ready, func(a, b prepared) int { return strings.Compare(a.month, b.month) })
	// Batches run side by side: bleve analyses one batch on every core but builds its
	// segment on one, so a second batch keeps the other cores busy meanwhile. Keys are
	// unique across batches, so their order does not matter.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(x.opts.workers)
	f := flight{limit: 2 * x.opts.workers}
	for chunk := range batches(ready, x.opts.batchSize) {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			return x.indexBatch(gctx, &f, chunk)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := f.wait(ctx, 0); err != nil {
		return err
	}
	if len(invalid) > 0 {
		x.opts.logger.Warn("index: skipped invalid documents", "count", len(invalid), "first", invalid[0])
	}
	return errors.Join(invalid...)
}

func (x *Index) indexBatch(ctx context.Context, f *flight, docs []prepared) error {
	keys := make([]string, len(docs))
	for i, d := range docs {
		keys[i] = d.key
	}
	where, err := x.locate(ctx, keys)
	if err != nil {
		return err
	}
	batches := map[string]*bleve.Batch{}
	batch := func(month string) (*bleve.Batch, error) {
		if b, ok := batches[month]; ok {
			return b, nil
		}
		idx, err := x.month(month, true)
		if err != nil {
			return nil, err
		}
		b := idx.NewBatch()
		batches[month] = b
		return b, nil
	}
	stale := map[string][]string{} // month → keys that moved out of it
	for _, d := range docs {
		b, err := batch(d.month)
		if err != nil {
			return err
		}
		if err := b.Index(d.key, d.fields); err != nil {
			return fmt.Errorf("index %s: %w", d.key, err)
		}
		for _, m := range where[d.key] {
			if m != d.month {
				stale[m] = append(stale[m], d.key)
			}
		}
	}
	// New copies first, old ones after: a crash in between leaves a duplicate that the
	// next indexing of the key removes, never a gap.
	for _, m := range sortedKeys(batches) {
		idx, _ := x.month(m, false)
		if err := f.submit(ctx, idx, batches[m]); err != nil {
			return fmt.Errorf("index batch into %s: %w", m, err)
		}
	}
	return x.deleteFrom(ctx, f, stale)
}

// Delete removes documents by key from whichever month holds them. Unknown keys are
// ignored.
func (x *Index) Delete(ctx context.Context, keys []string) error {
	x.write.Lock()
	defer x.write.Unlock()
	f := flight{limit: 2}
	for chunk := range slices.Chunk(keys, x.opts.batchSize) {
		if err := ctx.Err(); err != nil {
			return err
		}
		where, err := x.locate(ctx, chunk)
		if err != nil {
			return err
		}
		byMonth := map[string][]string{}
		for k, months := range where {
			for _, m := range months {
				byMonth[m] = append(byMonth[m], k)
			}
		}
		if err := x.deleteFrom(ctx, &f, byMonth); err != nil {
			return err
		}
	}
	return f.wait(ctx, 0)
}

func (x *Index) deleteFrom(ctx context.Context, f *flight, byMonth map[string][]string) error {
	for _, m := range sortedKeys(byMonth) {
		idx, err := x.month(m, false)
		if err != nil {
			return err
		}
		if idx == nil {
			continue
		}
		b := idx.NewBatch()
		for _, k := range byMonth[m] {
			b.Delete(k)
		}
		if err := f.submit(ctx, idx, b); err != nil {
			return fmt.Errorf("delete from %s: %w", m, err)
		}
	}
	return nil
}

// locate finds which months hold the given keys, with one id lookup across all months.
// Most keys are new and found nowhere; a key can sit in two months only after a crash
// between the two halves of a move.
func (x *Index) locate(ctx context.Context, keys []string) (map[string][]string, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, ErrClosed
	}
	if len(x.months) == 0 || len(keys) == 0 {
		return nil, nil
	}
	all := make([]bleve.Index, 0, len(x.months))
	for _, idx := range x.months {
		all = append(all, idx)
	}
	req := bleve.NewSearchRequestOptions(bq.NewDocIDQuery(keys), 2*len(keys), 0, false)
	req.SortBy([]string{"_id"})
	res, err := bleve.NewIndexAlias(all...).SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("locate keys: %w", err)
	}
	where := make(map[string][]string, len(res.Hits))
	for _, h := range res.Hits {
		where[h.ID] = append(where[h.ID], h.Index)
	}
	return where, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// flight pipelines batches. Months run with scorch's unsafe_batch, so a batch returns once
// searchable and is written to disk in the background while the next one is analysed;
// Index and Delete still return only when every batch they applied is on disk, so a
// caller that records progress after them never records more than survives a crash.
type flight struct {
	limit int // batches applied but not yet on disk before submit waits

	mu      sync.Mutex
	pending []*persist
}

type persist struct {
	once sync.Once
	done chan struct{}
	err  error
}

func (f *flight) submit(ctx context.Context, idx bleve.Index, b *bleve.Batch) error {
	p := &persist{done: make(chan struct{})}
	b.SetPersistedCallback(func(err error) {
		p.once.Do(func() {
			p.err = err
			close(p.done)
		})
	})
	if err := idx.Batch(b); err != nil {
		return err
	}
	f.mu.Lock()
	f.pending = append(f.pending, p)
	f.mu.Unlock()
	return f.wait(ctx, f.limit)
}

// wait blocks until at most n batches are in flight.
func (f *flight) wait(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		if len(f.pending) <= n {
			f.mu.Unlock()
			return nil
		}
		oldest := f.pending[0]
		f.mu.Unlock()
		select {
		case <-oldest.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if oldest.err != nil {
			return fmt.Errorf("persist batch: %w", oldest.err)
		}
		f.mu.Lock()
		if len(f.pending) > 0 && f.pending[0] == oldest {
			f.pending = f.pending[1:]
		}
		f.mu.Unlock()
	}
}

// batches cuts documents sorted by month into batches of at most n, never across a month,
// and evenly within one: with n = 1,000, the 1,200 documents of a month make two batches
// of 600, not 1,000 and 200, so that no batch makes a segment much smaller than the rest.
func batches(docs []prepared, n int) iter.Seq[[]prepared] {
	return func(yield func([]prepared) bool) {
		for len(docs) > 0 {
			end := 1
			for end < len(docs) && docs[end].month == docs[0].month {
				end++
			}
			month := docs[:end]
			k := (len(month) + n - 1) / n
			for i := range k {
				if !yield(month[i*len(month)/k : (i+1)*len(month)/k]) {
					return
				}
			}
			docs = docs[end:]
		}
	}
}

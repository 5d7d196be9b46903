package index

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Collecting: bleve runs the query in each month and hands every hit to a handler of ours
// (search.MakeDocumentMatchHandlerKey) instead of its own top-N collector. The handler
// counts facets and days from the month's columns (columns.go) and keeps the best hits
// in a heap that loads a document's id only to break a tie. Bleve's collector, asked for
// the same facets and the id tie-break that stable paging needs, read doc values and
// stored ids for every hit; the handler reads an array. The hits that make the page are
// then fetched, with their stored fields and highlights, by a second query naming them.

// order is how hits rank.
type order int

const (
	byScore    order = iota // score descending
	byDate                  // publication ascending
	byDateDesc              // publication descending
)

// plan is what a collection computes.
type plan struct {
	size   int      // best hits to keep, 0 for counts only
	order  order    // ranking of the hits
	after  *cand    // search_after: only hits ranking after it
	fields []string // index fields to count per term
}

// cand is a hit while it competes for the page.
type cand struct {
	key   float64 // score, or the when number
	doc   uint64  // number in its month's snapshot
	id    string  // document key; loaded when needed
	month string
}

// collected is what a collection found, over all months searched.
type collected struct {
	total  uint64
	top    []cand                    // best hits, ranked, ids set
	counts map[string]map[string]int // field → term → hits
}

// collect runs a compiled request over the months r's dates can touch.
func (x *Index) collect(ctx context.Context, c *compiled, r Request, p plan) (*collected, error) {
	out := &collected{counts: map[string]map[string]int{}}
	for _, f := range p.fields {
		out.counts[f] = map[string]int{}
	}
	if _, none := c.q.(*bq.MatchNoneQuery); none {
		return out, nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, ErrClosed
	}
	type month struct {
		name string
		idx  bleve.Index
		q    bq.Query
		res  *monthCollected
		err  error
	}
	var months []*month
	for name, idx := range x.months {
		if !inRange(name, r.From, r.To) || !inDays(name, r.FromDay, r.ToDay) {
			continue
		}
		m := &month{name: name, idx: idx, q: c.q}
		if covers(name, r.From, r.To) && coversDays(name, r.FromDay, r.ToDay) {
			m.q = c.whole
		}
		months = append(months, m)
	}
	// One goroutine per core: more only contend, as bleve's alias did with one per month.
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, m := range months {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			m.res, m.err = x.collectMonth(ctx, m.name, m.idx, m.q, p)
		}()
	}
	wg.Wait()
	for _, m := range months {
		if m.err != nil {
			return nil, fmt.Errorf("search %s: %w", m.name, m.err)
		}
		out.total += m.res.total
		out.top = append(out.top, m.res.top...)
		for f, counts := range m.res.counts {
			terms := m.res.terms[f]
			for i, n := range counts {
				if i > 0 && n > 0 {
					out.counts[f][terms[i]] += n
				}
			}
		}
	}
	// Every candidate has its id: ranking them needs no snapshot.
	slices.SortFunc(out.top, func(a, b cand) int { return p.order.compareLoaded(a, b) })
	if len(out.top) > p.size {
		out.top = out.top[:p.size]
	}
	return out, nil
}

// covers reports whether every document of month falls in [from, to); months are cut in
// each site's zone, so a day either side is allowed for.
func covers(month string, from, to time.Time) bool {
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return false // undated
	}
	next := first.AddDate(0, 1, 0)
	return (from.IsZero() || !first.Add(-24*time.Hour).Before(from)) &&
		(to.IsZero() || !next.Add(24*time.Hour).After(to))
}

// inDays reports whether month can hold days in [from, to], days as sites date them,
// which is how months are cut.
func inDays(month, from, to string) bool {
	if from == "" && to == "" {
		return true
	}
	if month == Undated {
		return false
	}
	return (from == "" || month >= from[:7]) && (to == "" || month <= to[:7])
}

// coversDays reports whether every day of month is in [from, to].
func coversDays(month, from, to string) bool {
	if from == "" && to == "" {
		return true
	}
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return false
	}
	last := first.AddDate(0, 1, -1).Format(dayLayout)
	return (from == "" || first.Format(dayLayout) >= from) && (to == "" || last <= to)
}

// monthCollected is one month's share of a collection.
type monthCollected struct {
	total  uint64
	top    []cand
	counts map[string][]int    // field → hits per term index of its column
	terms  map[string][]string // field → the column's terms
}

func (x *Index) collectMonth(ctx context.Context, name string, idx bleve.Index, q bq.Query, p plan) (*monthCollected, error) {
	res := &monthCollected{counts: map[string][]int{}, terms: map[string][]string{}}
	sr := bleve.NewSearchRequestOptions(q, 0, 0, false)
	if p.size == 0 || p.order != byScore {
		sr.Score = bleve.ScoreNone
	}
	maker := func(sc *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		reader := sc.IndexReader
		cols := x.cols.get(name, reader)
		counted := make([]*column, len(p.fields))
		counts := make([][]int, len(p.fields))
		for i, f := range p.fields {
			col, err := cols.field(ctx, reader, f)
			if err != nil {
				return nil, false, err
			}
			counted[i] = col
			counts[i] = make([]int, len(col.terms))
			res.counts[f], res.terms[f] = counts[i], col.terms
		}
		var when []uint64
		if p.size > 0 && p.order != byScore {
			var err error
			if when, err = cols.whenOf(reader); err != nil {
				return nil, false, err
			}
		}
		h := &hitHeap{order: p.order, size: p.size, reader: reader}
		if p.after != nil {
			a := *p.after
			h.after = &a
		}
		return func(d *search.DocumentMatch) error {
			if d == nil { // the end: the snapshot is still open to read ids
				var err error
				res.top, err = h.ranked()
				return err
			}
			doc, err := docNumber(d.IndexInternalID)
			if err != nil {
				return err
			}
			res.total++
			for i, c := range counted {
				counts[i][c.at(doc)]++
			}
			if p.size > 0 {
				key := d.Score
				if p.order != byScore {
					key = 0
					if doc < uint64(len(when)) {
						key = float64(when[doc])
					}
				}
				h.offer(cand{key: key, doc: doc, month: name})
				if h.err != nil {
					return h.err
				}
			}
			sc.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker))
	if _, err := idx.SearchInContext(ctx, sr); err != nil {
		return nil, err
	}
	return res, nil
}

// compare ranks a before b (negative) or after (positive); equal keys fall back to the
// document key, which load reads when it is not yet known.
func (o order) compare(a, b *cand, load func(*cand) error) (int, error) {
	if a.key != b.key {
		better := a.key > b.key
		if o == byDate {
			better = a.key < b.key
		}
		if better {
			return -1, nil
		}
		return 1, nil
	}
	if a.id == "" {
		if err := load(a); err != nil {
			return 0, err
		}
	}
	if b.id == "" {
		if err := load(b); err != nil {
			return 0, err
		}
	}
	return strings.Compare(a.id, b.id), nil
}

// compareLoaded is compare for candidates whose ids are set.
func (o order) compareLoaded(a, b cand) int {
	c, _ := o.compare(&a, &b, func(*cand) error { return nil })
	return c
}

// hitHeap keeps the size best hits of one month, the worst at the root.
type hitHeap struct {
	order  order
	size   int
	after  *cand
	reader bindex.IndexReader
	hits   []cand
	err    error
}

func (h *hitHeap) load(c *cand) error {
	id, err := h.reader.ExternalID(bindex.NewIndexInternalID(nil, c.doc))
	if err != nil {
		return fmt.Errorf("id of document %d: %w", c.doc, err)
	}
	c.id = id
	return nil
}

// worse reports whether hits[i] ranks after hits[j].
func (h *hitHeap) worse(i, j int) bool {
	c, err := h.order.compare(&h.hits[i], &h.hits[j], h.load)
	if err != nil && h.err == nil {
		h.err = err
	}
	return c > 0
}

func (h *hitHeap) offer(c cand) {
	if h.after != nil {
		cmp, err := h.order.compare(&c, h.after, h.load)
		if err != nil {
			h.err = err
			return
		}
		if cmp <= 0 {
			return
		}
	}
	if len(h.hits) < h.size {
		h.hits = append(h.hits, c)
		h.up(len(h.hits) - 1)
		return
	}
	cmp, err := h.order.compare(&c, &h.hits[0], h.load)
	if err != nil {
		h.err = err
		return
	}
	if cmp < 0 {
		h.hits[0] = c
		h.down(0)
	}
}

func (h *hitHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.worse(i, parent) {
			return
		}
		h.hits[i], h.hits[parent] = h.hits[parent], h.hits[i]
		i = parent
	}
}

func (h *hitHeap) down(i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h.hits) && h.worse(l, worst) {
			worst = l
		}
		if r < len(h.hits) && h.worse(r, worst) {
			worst = r
		}
		if worst == i {
			return
		}
		h.hits[i], h.hits[worst] = h.hits[worst], h.hits[i]
		i = worst
	}
}

// ranked loads the ids the heap has not needed yet and returns the hits best first.
func (h *hitHeap) ranked() ([]cand, error) {
	if h.err != nil {
		return nil, h.err
	}
	for i := range h.hits {
		if h.hits[i].id == "" {
			if err := h.load(&h.hits[i]); err != nil {
				return nil, err
			}
		}
	}
	out := slices.Clone(h.hits)
	slices.SortFunc(out, func(a, b cand) int { return h.order.compareLoaded(a, b) })
	return out, nil
}

// cursorKey is the sort value of c as a search_after cursor carries it: the score with
// every digit, or the date as its when s term.
func (o order) cursorKey(c cand) string {
	if o == byScore {
		return strconv.FormatFloat(c.key, 'g', -1, 64)
	}
	return "s" + fmt.Sprintf("%014d", uint64(c.key))
}

// parseCursor reads a cursor written by cursorKey and the document key after it.
func (o order) parseCursor(after []string) (*cand, error) {
	if len(after) != 2 {
		return nil, fmt.Errorf("%w: cursor has %d values, want 2", ErrBadRequest, len(after))
	}
	c := &cand{id: after[1]}
	if c.id == "" {
		return nil, fmt.Errorf("%w: cursor without a document key", ErrBadRequest)
	}
	if o == byScore {
		f, err := strconv.ParseFloat(after[0], 64)
		if err != nil {
			return nil, fmt.Errorf("%w: cursor score %q", ErrBadRequest, after[0])
		}
		c.key = f
		return c, nil
	}
	s := after[0]
	if len(s) != 1+len(whenLayout) || s[0] != 's' || strings.Trim(s[1:], "0123456789") != "" {
		return nil, fmt.Errorf("%w: cursor date %q", ErrBadRequest, s)
	}
	if _, err := time.Parse(whenLayout, s[1:]); err != nil {
		return nil, fmt.Errorf("%w: cursor date %q", ErrBadRequest, s)
	}
	c.key = float64(whenNumber([]byte(s[1:])))
	return c, nil
}

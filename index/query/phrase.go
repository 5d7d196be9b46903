package query

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"
)

// Phrase matches documents whose field holds one of the terms of each position at
// consecutive positions; a position with no terms is a gap any word fills (a stop word
// the analyzer removed). It is bleve's multi-phrase query with the phrase check done on
// the positions directly: bleve's builds two maps per candidate document to check it,
// which made a Japanese compound (報道官 is 報道|官, a phrase) cost three times a word.
// Scores and highlighted locations are those of bleve's phrase query.
type Phrase struct {
	Terms [][]string
	Field string
	boost float64
}

// NewPhrase returns a phrase query on field.
func NewPhrase(terms [][]string, field string) *Phrase {
	return &Phrase{Terms: terms, Field: field, boost: 1}
}

// SetBoost weights the phrase's score.
func (p *Phrase) SetBoost(b float64) { p.boost = b }

// Boost returns the weight SetBoost set.
func (p *Phrase) Boost() float64 { return p.boost }

// Searcher implements bleve's query.Query.
func (p *Phrase) Searcher(ctx context.Context, r bindex.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	opts.IncludeTermVectors = true
	s := &phraseSearcher{field: p.Field, slots: map[string][]int{}}
	var subs []search.Searcher
	closeAll := func() {
		for _, c := range subs {
			c.Close()
		}
	}
	for i, alts := range p.Terms {
		var ts []search.Searcher
		for _, t := range alts {
			if t == "" {
				continue
			}
			sub, err := searcher.NewTermSearcher(ctx, r, t, p.Field, p.boost, opts)
			if err != nil {
				closeAll()
				for _, c := range ts {
					c.Close()
				}
				return nil, fmt.Errorf("phrase term %q: %w", t, err)
			}
			ts = append(ts, sub)
			if !slices.Contains(s.slots[t], i) {
				s.slots[t] = append(s.slots[t], i)
			}
		}
		switch len(ts) {
		case 0:
			continue // a gap
		case 1:
			subs = append(subs, ts[0])
		default:
			d, err := searcher.NewDisjunctionSearcher(ctx, r, ts, 1, opts)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("phrase position %d: %w", i, err)
			}
			subs = append(subs, d)
		}
		s.used = append(s.used, i)
	}
	if len(subs) == 0 {
		return searcher.NewMatchNoneSearcher(r)
	}
	must, err := searcher.NewConjunctionSearcher(ctx, r, subs, opts)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("phrase: %w", err)
	}
	s.must = must
	// As bleve's phrase searcher: normalised alone, until a parent sets its own norm.
	must.SetQueryNorm(1 / math.Sqrt(must.Weight()))
	s.pos = make([][]uint64, len(p.Terms))
	return s, nil
}

// phraseSearcher filters the documents holding every term of a phrase to those where
// they stand in order.
type phraseSearcher struct {
	must  search.Searcher
	field string
	slots map[string][]int // term → the positions of the phrase it may fill
	used  []int            // positions with terms, ascending
	pos   [][]uint64       // per position of the phrase: where its terms are, scratch
	keep  []bool           // scratch: which locations belong to a match
}

func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	for {
		dm, err := s.must.Next(ctx)
		if err != nil || dm == nil {
			return nil, err
		}
		if s.match(dm) {
			return dm, nil
		}
		ctx.DocumentMatchPool.Put(dm)
	}
}

func (s *phraseSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	dm, err := s.must.Advance(ctx, id)
	if err != nil || dm == nil {
		return nil, err
	}
	if s.match(dm) {
		return dm, nil
	}
	ctx.DocumentMatchPool.Put(dm)
	return s.Next(ctx)
}

// match reports whether dm holds the phrase, and keeps in its locations only those of
// the terms where the phrase stands, which are what highlighting marks.
func (s *phraseSearcher) match(dm *search.DocumentMatch) bool {
	for i := range s.pos {
		s.pos[i] = s.pos[i][:0]
	}
	for _, l := range dm.FieldTermLocations {
		if l.Field != s.field {
			continue
		}
		for _, k := range s.slots[l.Term] {
			s.pos[k] = append(s.pos[k], l.Location.Pos)
		}
	}
	first := s.used[0]
	var starts []uint64
	for _, k := range s.used {
		slices.Sort(s.pos[k])
	}
	for _, p := range s.pos[first] {
		if p < uint64(first) {
			continue
		}
		start := p - uint64(first)
		ok := true
		for _, k := range s.used[1:] {
			if _, found := slices.BinarySearch(s.pos[k], start+uint64(k)); !found {
				ok = false
				break
			}
		}
		if ok {
			starts = append(starts, start)
		}
	}
	if len(starts) == 0 {
		return false
	}
	kept := dm.FieldTermLocations[:0]
	for _, l := range dm.FieldTermLocations {
		if l.Field == s.field && s.inMatch(l, starts) {
			kept = append(kept, l)
		}
	}
	dm.FieldTermLocations = kept
	return true
}

func (s *phraseSearcher) inMatch(l search.FieldTermLocation, starts []uint64) bool {
	for _, k := range s.slots[l.Term] {
		if l.Location.Pos < uint64(k) {
			continue
		}
		if _, found := slices.BinarySearch(starts, l.Location.Pos-uint64(k)); found {
			return true
		}
	}
	return false
}

func (s *phraseSearcher) Close() error               { return s.must.Close() }
func (s *phraseSearcher) Weight() float64            { return s.must.Weight() }
func (s *phraseSearcher) SetQueryNorm(n float64)     { s.must.SetQueryNorm(n) }
func (s *phraseSearcher) Count() uint64              { return s.must.Count() } // at most
func (s *phraseSearcher) Min() int                   { return 0 }
func (s *phraseSearcher) Size() int                  { return s.must.Size() }
func (s *phraseSearcher) DocumentMatchPoolSize() int { return s.must.DocumentMatchPoolSize() + 1 }

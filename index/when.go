package index

import (
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	bq "github.com/blevesearch/bleve/v2/search/query"
)

// The when field carries the publication time, in UTC to the second, for date sorting and
// range filters. Bleve's datetime field indexes 16 prefix terms per document and keeps all
// 16 as doc values, most of them unique to the document; that cost more than every
// keyword field together (about 15% of ingest CPU). when indexes four terms, one per
// calendar unit:
//
//	d20250311  h2025031109  m202503110905  s20250311090512
//
// A range splits into whole days, then the hours, minutes and seconds at its two ends,
// each a term range over a few dozen terms at most. Sorting reads the largest term, the
// s term, from the doc values. Times are indexed to the second: a From or To with a
// fraction of a second is rounded up to the next whole one.
const (
	fieldWhen    = "when"
	whenAnalyzer = "pravda_when"
	whenLayout   = "20060102150405" // the field's value, UTC
)

// whenUnits are the calendar units of the when field, coarsest first: each term is the
// unit's letter and the value's first digits.
var whenUnits = []struct {
	prefix byte
	digits int
	size   time.Duration
}{
	{'d', 8, 24 * time.Hour},
	{'h', 10, time.Hour},
	{'m', 12, time.Minute},
	{'s', 14, time.Second},
}

// whenValue is the when field of a publication time.
func whenValue(t time.Time) string { return t.UTC().Format(whenLayout) }

// whenTerm is the term of t for unit u, t in UTC on a whole second.
func whenTerm(u int, t time.Time) string {
	return string(whenUnits[u].prefix) + t.Format(whenLayout)[:whenUnits[u].digits]
}

type whenTokenizer struct{}

func (whenTokenizer) Tokenize(input []byte) analysis.TokenStream {
	if len(input) != len(whenLayout) {
		return nil
	}
	for _, c := range input {
		if c < '0' || c > '9' {
			return nil
		}
	}
	out := make(analysis.TokenStream, len(whenUnits))
	slab := make([]analysis.Token, len(whenUnits))
	for i, u := range whenUnits {
		term := make([]byte, 0, 1+u.digits)
		term = append(append(term, u.prefix), input[:u.digits]...)
		slab[i] = analysis.Token{Term: term, Start: 0, End: u.digits, Position: i + 1, Type: analysis.Numeric}
		out[i] = &slab[i]
	}
	return out
}

func whenAnalyzerConstructor(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
	return &analysis.DefaultAnalyzer{Tokenizer: whenTokenizer{}}, nil
}

func init() {
	if err := registry.RegisterAnalyzer(whenAnalyzer, whenAnalyzerConstructor); err != nil {
		panic(err)
	}
}

// whenRange matches publication times in [from, to); a zero bound is open.
func whenRange(from, to time.Time) bq.Query {
	// Bounds outside four-digit years would not format; no article is dated there.
	lo, hi := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := lo, hi
	if !from.IsZero() {
		a = ceilSecond(from)
	}
	if !to.IsZero() {
		b = ceilSecond(to)
	}
	a, b = clampTime(a, lo, hi), clampTime(b, lo, hi)
	var parts []bq.Query
	coverWhen(a, b, 0, &parts)
	switch len(parts) {
	case 0:
		return bq.NewMatchNoneQuery()
	case 1:
		return parts[0]
	}
	return bq.NewDisjunctionQuery(parts)
}

// coverWhen adds term ranges of unit u and finer that together match [a, b) exactly.
func coverWhen(a, b time.Time, u int, parts *[]bq.Query) {
	if !a.Before(b) {
		return
	}
	size := whenUnits[u].size
	last := u == len(whenUnits)-1
	// Whole units inside [a, b): [A, B).
	A, B := a.Truncate(size), b.Truncate(size)
	if !A.Equal(a) {
		A = A.Add(size)
	}
	if last {
		A, B = a, b
	}
	if !A.Before(B) {
		coverWhen(a, b, u+1, parts)
		return
	}
	yes, no := true, false
	r := bq.NewTermRangeInclusiveQuery(whenTerm(u, A), whenTerm(u, B), &yes, &no)
	r.SetField(fieldWhen)
	*parts = append(*parts, r)
	if !last {
		coverWhen(a, A, u+1, parts)
		coverWhen(B, b, u+1, parts)
	}
}

func ceilSecond(t time.Time) time.Time {
	t = t.UTC()
	if s := t.Truncate(time.Second); !s.Equal(t) {
		return s.Add(time.Second)
	}
	return t
}

func clampTime(t, lo, hi time.Time) time.Time {
	switch {
	case t.Before(lo):
		return lo
	case t.After(hi):
		return hi
	}
	return t
}

package index

import (
	"encoding/binary"
	"fmt"
	"sync"

	bindex "github.com/blevesearch/bleve_index_api"
)

// Columns hold, for one snapshot of one month, each document's value of every
// single-valued keyword field and its publication second, in arrays indexed by the
// document's number in the snapshot. Bleve's facets and field sorts read the same values
// from doc values, decoding a compressed chunk for most hits: at a million articles that
// was a third of a query's CPU, and the tie-break on document ids another tenth (bench
// index). An array costs one load per hit.
//
// A snapshot never changes, so its columns are built once, by the first search that
// reaches it, in one pass over its doc values (about 40 ms per 100,000 documents). A
// closed month keeps its snapshot and its columns; the month being written gets a new
// snapshot with every batch, and the next search rebuilds its columns. They take about 26
// bytes per document.

// columnFields are the keyword fields kept as columns: every field a facet, a count or a
// top-terms request can name.
var columnFields = []string{fieldSite, fieldLang, fieldCategory, fieldOrigin, fieldOutlet, fieldChannel, fieldStory, fieldDay}

// column is one field's value for every document, as an index into terms; terms[0] is ""
// (no value).
type column struct {
	terms []string
	small []uint16 // while there are at most 65,536 terms
	large []uint32 // after
}

func (c *column) at(doc uint64) uint32 {
	if c.large != nil {
		if doc < uint64(len(c.large)) {
			return c.large[doc]
		}
		return 0
	}
	if doc < uint64(len(c.small)) {
		return uint32(c.small[doc])
	}
	return 0
}

// columns are one snapshot's columns.
type columns struct {
	fields map[string]*column
	// when is the publication time as the number YYYYMMDDhhmmss (UTC), which sorts like
	// the when field's s term that search_after cursors carry.
	when []uint64
}

func (c *columns) whenAt(doc uint64) uint64 {
	if doc < uint64(len(c.when)) {
		return c.when[doc]
	}
	return 0
}

// columnCache keeps the columns of the latest snapshot seen for each month.
type columnCache struct {
	mu     sync.Mutex
	months map[string]*columnsEntry
}

type columnsEntry struct {
	snap bindex.IndexReader // compared by identity: scorch makes a new one per change
	once sync.Once
	cols *columns
	err  error
}

// get returns the columns of month as snapshot r has it, building them on first use. r
// must stay open until get returns.
func (cc *columnCache) get(month string, r bindex.IndexReader) (*columns, error) {
	cc.mu.Lock()
	if cc.months == nil {
		cc.months = map[string]*columnsEntry{}
	}
	e := cc.months[month]
	if e == nil || e.snap != r {
		// Holding r keeps its memory from being reused for another snapshot, so identity
		// stays a safe test; scorch releases its segments by reference count regardless.
		e = &columnsEntry{snap: r}
		cc.months[month] = e
	}
	cc.mu.Unlock()
	e.once.Do(func() {
		e.cols, e.err = buildColumns(r)
		if e.err != nil {
			e.err = fmt.Errorf("columns of %s: %w", month, e.err)
		}
	})
	return e.cols, e.err
}

// forget drops every month's columns (the index is closing).
func (cc *columnCache) forget() {
	cc.mu.Lock()
	cc.months = nil
	cc.mu.Unlock()
}

// columnBuilder collects one field's column.
type columnBuilder struct {
	col   column
	index map[string]uint32
}

func (b *columnBuilder) set(doc uint64, term []byte) {
	i, ok := b.index[string(term)]
	if !ok {
		i = uint32(len(b.col.terms))
		b.col.terms = append(b.col.terms, string(term))
		b.index[string(term)] = i
		if i == 1<<16 && b.col.large == nil {
			b.col.large = make([]uint32, len(b.col.small), cap(b.col.small))
			for j, v := range b.col.small {
				b.col.large[j] = uint32(v)
			}
			b.col.small = nil
		}
	}
	if b.col.large != nil {
		b.col.large = grow(b.col.large, doc)
		b.col.large[doc] = i
	} else {
		b.col.small = grow(b.col.small, doc)
		b.col.small[doc] = uint16(i)
	}
}

// grow extends s with zeros until doc is an index of it.
func grow[T uint16 | uint32 | uint64](s []T, doc uint64) []T {
	if doc < uint64(len(s)) {
		return s
	}
	n := int(doc) + 1
	if n <= cap(s) {
		return s[:n]
	}
	out := make([]T, n, max(2*cap(s), n, 1024))
	copy(out, s)
	return out
}

func buildColumns(r bindex.IndexReader) (*columns, error) {
	builders := map[string]*columnBuilder{}
	for _, f := range columnFields {
		builders[f] = &columnBuilder{col: column{terms: []string{""}}, index: map[string]uint32{"": 0}}
	}
	out := &columns{fields: map[string]*column{}}
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer ids.Close()
	dv, err := r.DocValueReader(append(columnFields[:len(columnFields):len(columnFields)], fieldWhen))
	if err != nil {
		return nil, err
	}
	var doc uint64
	visit := func(field string, term []byte) {
		if field == fieldWhen {
			if len(term) == 1+len(whenLayout) && term[0] == 's' {
				out.when = grow(out.when, doc)
				out.when[doc] = whenNumber(term[1:])
			}
			return
		}
		if b := builders[field]; b != nil {
			b.set(doc, term)
		}
	}
	for {
		id, err := ids.Next()
		if err != nil {
			return nil, err
		}
		if id == nil {
			break
		}
		if doc, err = docNumber(id); err != nil {
			return nil, err
		}
		if err := dv.VisitDocValues(id, visit); err != nil {
			return nil, err
		}
	}
	for f, b := range builders {
		out.fields[f] = &b.col
	}
	return out, nil
}

// docNumber reads scorch's internal id: the document's number in its snapshot.
func docNumber(id bindex.IndexInternalID) (uint64, error) {
	if len(id) != 8 {
		return 0, fmt.Errorf("internal id %x: not 8 bytes", []byte(id))
	}
	return binary.BigEndian.Uint64(id), nil
}

// whenNumber reads the digits of a when s term as a number; they are all digits, the
// tokenizer checked.
func whenNumber(digits []byte) uint64 {
	var n uint64
	for _, c := range digits {
		n = n*10 + uint64(c-'0')
	}
	return n
}

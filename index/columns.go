package index

import (
	"context"
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
// A snapshot never changes, so each column is built once, by the first search that needs
// it: a keyword field from its terms' postings, the publication second from doc values (a
// date sort only). A closed month keeps its snapshot and its columns; the month being
// written gets a new snapshot with every batch, and the next search rebuilds the columns
// it needs. A keyword column takes 2 bytes per document (4 past 65,536 terms), the
// publication second 8.

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

// columns are one snapshot's columns, each built the first time a search needs it.
type columns struct {
	mu     sync.Mutex
	fields map[string]*lazy[*column]
	when   lazy[[]uint64] // YYYYMMDDhhmmss (UTC) per document, which sorts as the s term does
}

type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

// field returns the column of a keyword field, reading r (the snapshot, open) the first
// time. A keyword field has few terms per month, each with a postings list: walking those
// costs a few milliseconds per 100,000 documents, where visiting every document's doc
// values cost 200.
func (c *columns) field(ctx context.Context, r bindex.IndexReader, field string) (*column, error) {
	c.mu.Lock()
	l := c.fields[field]
	if l == nil {
		l = &lazy[*column]{}
		c.fields[field] = l
	}
	c.mu.Unlock()
	l.once.Do(func() { l.v, l.err = buildColumn(ctx, r, field) })
	return l.v, l.err
}

// whenOf returns the publication time of every document, for date sorts. The s terms are
// one per second, near one per document, so they are read from doc values instead.
func (c *columns) whenOf(r bindex.IndexReader) ([]uint64, error) {
	c.when.once.Do(func() { c.when.v, c.when.err = buildWhen(r) })
	return c.when.v, c.when.err
}

// columnCache keeps the columns of the latest snapshot seen for each month.
type columnCache struct {
	mu     sync.Mutex
	months map[string]*columnsEntry
}

type columnsEntry struct {
	snap bindex.IndexReader // compared by identity: scorch makes a new one per change
	cols *columns
}

// get returns the columns of month as snapshot r has it, empty until a search asks for
// one of them.
func (cc *columnCache) get(month string, r bindex.IndexReader) *columns {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.months == nil {
		cc.months = map[string]*columnsEntry{}
	}
	e := cc.months[month]
	if e == nil || e.snap != r {
		// Holding r keeps its memory from being reused for another snapshot, so identity
		// stays a safe test; scorch releases its segments by reference count regardless.
		e = &columnsEntry{snap: r, cols: &columns{fields: map[string]*lazy[*column]{}}}
		cc.months[month] = e
	}
	return e.cols
}

// forget drops every month's columns (the index is closing).
func (cc *columnCache) forget() {
	cc.mu.Lock()
	cc.months = nil
	cc.mu.Unlock()
}

// add appends a term and returns its index, moving to 32-bit indexes at the 65,537th.
func (c *column) add(term string) uint32 {
	i := uint32(len(c.terms))
	c.terms = append(c.terms, term)
	if i == 1<<16 && c.large == nil {
		c.large = make([]uint32, len(c.small), cap(c.small))
		for j, v := range c.small {
			c.large[j] = uint32(v)
		}
		c.small = nil
	}
	return i
}

// set gives doc the term at index i.
func (c *column) set(doc uint64, i uint32) {
	if c.large != nil {
		c.large = grow(c.large, doc)
		c.large[doc] = i
	} else {
		c.small = grow(c.small, doc)
		c.small[doc] = uint16(i)
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

// buildColumn walks the postings of every term of a single-valued keyword field.
func buildColumn(ctx context.Context, r bindex.IndexReader, field string) (*column, error) {
	col := &column{terms: []string{""}}
	dict, err := r.FieldDict(field)
	if err != nil {
		return nil, fmt.Errorf("terms of %s: %w", field, err)
	}
	defer dict.Close()
	var tfd bindex.TermFieldDoc
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, fmt.Errorf("terms of %s: %w", field, err)
		}
		if e == nil {
			break
		}
		i := col.add(e.Term)
		tfr, err := r.TermFieldReader(ctx, []byte(e.Term), field, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("postings of %s:%s: %w", field, e.Term, err)
		}
		for {
			d, err := tfr.Next(tfd.Reset())
			if err != nil {
				tfr.Close()
				return nil, fmt.Errorf("postings of %s:%s: %w", field, e.Term, err)
			}
			if d == nil {
				break
			}
			doc, err := docNumber(d.ID)
			if err != nil {
				tfr.Close()
				return nil, err
			}
			col.set(doc, i)
		}
		if err := tfr.Close(); err != nil {
			return nil, err
		}
	}
	return col, nil
}

// buildWhen reads every document's when s term from the doc values.
func buildWhen(r bindex.IndexReader) ([]uint64, error) {
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer ids.Close()
	dv, err := r.DocValueReader([]string{fieldWhen})
	if err != nil {
		return nil, err
	}
	var when []uint64
	var doc uint64
	visit := func(field string, term []byte) {
		if field == fieldWhen && len(term) == 1+len(whenLayout) && term[0] == 's' {
			when = grow(when, doc)
			when[doc] = whenNumber(term[1:])
		}
	}
	for {
		id, err := ids.Next()
		if err != nil {
			return nil, err
		}
		if id == nil {
			return when, nil
		}
		if doc, err = docNumber(id); err != nil {
			return nil, err
		}
		if err := dv.VisitDocValues(id, visit); err != nil {
			return nil, err
		}
	}
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

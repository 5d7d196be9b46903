package query

import (
	"fmt"
	"slices"
	"strings"

	bq "github.com/blevesearch/bleve/v2/search/query"
)

// Schema tells Compile how the index lays out its fields.
type Schema struct {
	// Suffixes are the language suffixes of the text fields: a term is searched in
	// "title_"+s and "body_"+s for each s.
	Suffixes []string
	// SuffixOf maps a language code (lang:es) to its suffix ("xx").
	SuffixOf func(lang string) string
	// LangField is the keyword field holding each document's suffix. It confines each
	// language's branch of the query to that language's documents.
	LangField string
	// Keywords maps a field as the parser names it (origin) to the index field (origin_kind).
	Keywords map[string]string
	// Analyze returns text as the analyzer of the suffix's fields sees it: the terms at each
	// position, gaps left empty; nil when nothing survives (stop words, punctuation).
	Analyze func(suffix, text string) [][]string
	// TitleBoost weights title matches over body matches; 0 means 1.
	TitleBoost float64
}

// Compile turns a parsed query into a bleve query. langs, when not empty, confines text
// matching to those languages' fields; lang: terms at the top level of the query do the
// same. A nil node compiles to a match-all query. When nothing can match, for instance
// every term is a stop word, the result is a *bq.MatchNoneQuery.
//
// Each language is compiled as its own branch, the whole expression over that language's
// fields, filtered to documents of that language, and the branches are OR-ed: a document
// has one language, so this is the expression evaluated on the document's own fields. A
// term that analyses to nothing in a language drops out of that branch (the neutral
// element of its AND or OR) instead of making it match nothing.
func Compile(n Node, s Schema, langs []string) (bq.Query, error) {
	if n == nil {
		return bq.NewMatchAllQuery(), nil
	}
	if !hasText(n) {
		q, _, _, err := compile(n, s, "")
		return q, err
	}
	suffixes := s.Suffixes
	if restrict := append(slices.Clone(langs), topLangs(n)...); len(restrict) > 0 {
		suffixes = nil
		for _, l := range restrict {
			if sf := s.SuffixOf(strings.ToLower(l)); !slices.Contains(suffixes, sf) {
				suffixes = append(suffixes, sf)
			}
		}
	}
	var branches []bq.Query
	for _, sf := range suffixes {
		q, anchored, ok, err := compile(n, s, sf)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if anchored {
			// Every match needs a term in this language's fields, which only its
			// documents have: the language filter would only cost a walk of its postings.
			branches = append(branches, q)
			continue
		}
		b := bq.NewBooleanQuery([]bq.Query{q}, nil, nil)
		b.AddFilter(term(sf, s.LangField))
		branches = append(branches, b)
	}
	switch len(branches) {
	case 0:
		return bq.NewMatchNoneQuery(), nil
	case 1:
		return branches[0], nil
	}
	return bq.NewDisjunctionQuery(branches), nil
}

// compile builds the query for one language suffix. ok is false when the node dropped
// out entirely (all its text analysed to nothing). anchored is true when every document
// the query matches must hold one of its terms in a text field of the suffix.
func compile(n Node, s Schema, suffix string) (q bq.Query, anchored, ok bool, err error) {
	switch n := n.(type) {
	case *Text:
		q, ok, err := text(n, s, suffix)
		return q, ok, ok, err
	case *Keyword:
		field, known := s.Keywords[n.Field]
		if !known {
			return nil, false, false, errorf(n.Pos, "field %s: is not searchable here", n.Field)
		}
		return term(NormalizeKeyword(n.Field, n.Value), field), false, true, nil
	case *Not:
		inner, _, ok, err := compile(n.Node, s, suffix)
		if err != nil || !ok {
			return nil, false, false, err
		}
		return bq.NewBooleanQuery(nil, nil, []bq.Query{inner}), false, true, nil
	case *And:
		var must, mustNot []bq.Query
		for _, c := range n.Nodes {
			neg, isNot := c.(*Not)
			if isNot {
				c = neg.Node
			}
			q, a, ok, err := compile(c, s, suffix)
			if err != nil {
				return nil, false, false, err
			}
			if !ok {
				continue
			}
			if isNot {
				mustNot = append(mustNot, q)
			} else {
				must = append(must, q)
				anchored = anchored || a
			}
		}
		switch {
		case len(must) == 0 && len(mustNot) == 0:
			return nil, false, false, nil
		case len(mustNot) == 0 && len(must) == 1:
			return must[0], anchored, true, nil
		case len(mustNot) == 0:
			return bq.NewConjunctionQuery(must), anchored, true, nil
		}
		// Must may be empty: bleve then subtracts MustNot from everything.
		return bq.NewBooleanQuery(must, nil, mustNot), anchored, true, nil
	case *Or:
		var either []bq.Query
		anchored = true
		for _, c := range n.Nodes {
			q, a, ok, err := compile(c, s, suffix)
			if err != nil {
				return nil, false, false, err
			}
			if ok {
				either = append(either, q)
				anchored = anchored && a
			}
		}
		switch len(either) {
		case 0:
			return nil, false, false, nil
		case 1:
			return either[0], anchored, true, nil
		}
		return bq.NewDisjunctionQuery(either), anchored, true, nil
	}
	return nil, false, false, fmt.Errorf("query: unknown node %T", n)
}

func text(t *Text, s Schema, suffix string) (bq.Query, bool, error) {
	if suffix == "" {
		return nil, false, errorf(t.Pos, "text term outside a language")
	}
	phrase := s.Analyze(suffix, t.Value)
	if len(phrase) == 0 {
		return nil, false, nil
	}
	var parts []string
	switch t.Part {
	case "":
		parts = []string{"title", "body"}
	default:
		parts = []string{t.Part}
	}
	var qs []bq.Query
	for _, p := range parts {
		field := p + "_" + suffix
		var q bq.Query
		if len(phrase) == 1 && len(phrase[0]) == 1 {
			tq := bq.NewTermQuery(phrase[0][0])
			tq.SetField(field)
			if p == "title" && s.TitleBoost > 0 {
				tq.SetBoost(s.TitleBoost)
			}
			q = tq
		} else {
			pq := NewPhrase(phrase, field)
			if p == "title" && s.TitleBoost > 0 {
				pq.SetBoost(s.TitleBoost)
			}
			q = pq
		}
		qs = append(qs, q)
	}
	if len(qs) == 1 {
		return qs[0], true, nil
	}
	return bq.NewDisjunctionQuery(qs), true, nil
}

func term(value, field string) *bq.TermQuery {
	q := bq.NewTermQuery(value)
	q.SetField(field)
	return q
}

// NormalizeKeyword folds a keyword value: lower case, trimmed, and for channels without
// the @ people paste in front of Telegram names. The index folds what it stores the same
// way, so typed values match.
func NormalizeKeyword(field, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if field == "channel" {
		v = strings.TrimPrefix(v, "@")
	}
	return v
}

func hasText(n Node) bool {
	switch n := n.(type) {
	case *Text:
		return true
	case *Not:
		return hasText(n.Node)
	case *And:
		return slices.ContainsFunc(n.Nodes, hasText)
	case *Or:
		return slices.ContainsFunc(n.Nodes, hasText)
	}
	return false
}

// topLangs returns the languages a query is confined to by its own lang: terms: a lang:
// term ANDed at the top, or an OR of nothing but lang: terms there.
func topLangs(n Node) []string {
	var out []string
	nodes := []Node{n}
	if a, ok := n.(*And); ok {
		nodes = a.Nodes
	}
	for _, c := range nodes {
		switch c := c.(type) {
		case *Keyword:
			if c.Field == "lang" {
				out = append(out, c.Value)
			}
		case *Or:
			var ls []string
			for _, o := range c.Nodes {
				k, ok := o.(*Keyword)
				if !ok || k.Field != "lang" {
					ls = nil
					break
				}
				ls = append(ls, k.Value)
			}
			out = append(out, ls...)
		}
	}
	return out
}

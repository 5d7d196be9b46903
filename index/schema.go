package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/pravda-archive/pravda/index/query"
)

// schema is query.Schema bound to the analyzers of a mapping.
type schema = query.Schema

func newSchema(m *mapping.IndexMappingImpl) schema {
	byName := map[string]analysis.Analyzer{}
	for sf, name := range analyzers {
		byName[sf] = m.AnalyzerNamed(name)
	}
	return query.Schema{
		Suffixes:  suffixes,
		SuffixOf:  func(lang string) string { return suffixOf(normLang(lang)) },
		LangField: fieldSuffix,
		Keywords:  keywordFields,
		Analyze: func(sf, text string) [][]string {
			a := byName[sf]
			if a == nil {
				return nil
			}
			return phrase(a.Analyze([]byte(text)))
		},
		TitleBoost: 1.5,
	}
}

// phrase lays tokens out by position, leaving gaps where stop words were; the same shape
// bleve's match_phrase builds, so phrases match across removed words.
func phrase(ts analysis.TokenStream) [][]string {
	if len(ts) == 0 {
		return nil
	}
	first, last := ts[0].Position, ts[0].Position
	for _, t := range ts {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	if last-first >= 1024 {
		last = first + 1023 // a pasted paragraph is not a phrase anyone means
	}
	out := make([][]string, last-first+1)
	for _, t := range ts {
		if p := t.Position - first; p < len(out) {
			out[p] = append(out[p], string(t.Term))
		}
	}
	return out
}

package index

import (
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/pravda-archive/pravda/index/ja"
)

// Field names. Text fields are "title_"+suffix and "body_"+suffix.
const (
	fieldSite      = "site"
	fieldLang      = "lang"
	fieldCategory  = "category"
	fieldOrigin    = "origin_kind"
	fieldOutlet    = "outlet"
	fieldChannel   = "channel"
	fieldStory     = "story"
	fieldDay       = "day"
	fieldPublished = "published"
	fieldURL       = "url"
	// fieldSuffix holds which text fields a document filled (ja, ru, ..., xx). Queries are
	// evaluated per language and filtered on it; see query.Compile.
	fieldSuffix = "tlang"
)

// fallback is the suffix of every language without an analyzer of its own.
const fallback = "xx"

// analyzers names the analyzer of each language's text fields. Adding a language bleve
// has an analyzer for (es, it, pt, nl, ...) is one line here; months created before keep
// indexing it under xx.
var analyzers = map[string]string{
	"ja":     ja.AnalyzerName,
	"ru":     ru.AnalyzerName,
	"fr":     fr.AnalyzerName,
	"de":     de.AnalyzerName,
	"en":     en.AnalyzerName,
	fallback: standard.Name,
}

// suffixes lists analyzers' keys in a fixed order.
var suffixes = []string{"ja", "ru", "fr", "de", "en", fallback}

// suffixOf maps a language code to the suffix of its text fields.
func suffixOf(lang string) string {
	if _, ok := analyzers[lang]; ok {
		return lang
	}
	return fallback
}

// keywordFields are the facetable keyword fields by the name the query language uses.
var keywordFields = map[string]string{
	"site":     fieldSite,
	"lang":     fieldLang,
	"origin":   fieldOrigin,
	"outlet":   fieldOutlet,
	"channel":  fieldChannel,
	"category": fieldCategory,
	"story":    fieldStory,
	"day":      fieldDay,
}

// newMapping builds the mapping of a new month. Text fields always keep term vectors
// (positions and offsets): phrase queries need them, and so does every Japanese word that
// kagome splits in two. storeText also stores bodies, which highlighting reads; titles are
// always stored because every hit shows one.
func newMapping(storeText bool) *mapping.IndexMappingImpl {
	im := mapping.NewIndexMapping()
	im.DefaultAnalyzer = standard.Name
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false

	dm := mapping.NewDocumentStaticMapping()
	for _, sf := range suffixes {
		dm.AddFieldMappingsAt("title_"+sf, &mapping.FieldMapping{
			Type: "text", Analyzer: analyzers[sf], Index: true,
			Store: true, IncludeTermVectors: true,
		})
		dm.AddFieldMappingsAt("body_"+sf, &mapping.FieldMapping{
			Type: "text", Analyzer: analyzers[sf], Index: true,
			Store: storeText, IncludeTermVectors: true,
		})
	}
	kw := func(store, docValues bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{
			Type: "text", Analyzer: keyword.Name, Index: true,
			Store: store, DocValues: docValues,
		}
	}
	// site and lang are stored because every hit shows them.
	dm.AddFieldMappingsAt(fieldSite, kw(true, true))
	dm.AddFieldMappingsAt(fieldLang, kw(true, true))
	for _, f := range []string{fieldCategory, fieldOrigin, fieldOutlet, fieldChannel, fieldStory, fieldDay} {
		dm.AddFieldMappingsAt(f, kw(false, true))
	}
	dm.AddFieldMappingsAt(fieldSuffix, kw(false, false))
	dm.AddFieldMappingsAt(fieldURL, &mapping.FieldMapping{Type: "text", Analyzer: keyword.Name, Store: true})
	// published is only stored, for display; when (see when.go) sorts and filters.
	dm.AddFieldMappingsAt(fieldPublished, &mapping.FieldMapping{Type: "datetime", Store: true})
	dm.AddFieldMappingsAt(fieldWhen, &mapping.FieldMapping{
		Type: "text", Analyzer: whenAnalyzer, Index: true, DocValues: true,
	})
	// No _all: every field above already opts out of it, but bleve still builds and
	// indexes the (empty) composite field for every document unless it is disabled.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	im.DefaultMapping = dm
	return im
}

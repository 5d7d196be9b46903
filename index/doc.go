// Package index is the archive's full-text search: bleve indexes, one per month of
// publication, searched together, with a field per language for titles and bodies.
//
// The index is derived data, fed from the catalog and rebuildable from it; a Doc is all
// it needs of an article. One field name never carries two analyzers: Japanese goes to
// title_ja/body_ja (kagome segmentation, see package ja), Russian, French, German and
// English to their own fields with bleve's stemming analyzers, every other language to
// title_xx/body_xx with the standard analyzer. Keyword fields (site, lang, category,
// origin_kind, outlet, channel, story, day) carry doc values; day is the publication day
// as the site dates it, so counts per day are term counts and not 365 date ranges. The
// publication time sorts and filters through the when field, four terms (day, hour,
// minute, second in UTC) instead of bleve's sixteen datetime terms.
//
// Bleve matches and scores; collecting is ours (collect.go). Each month's snapshot gets
// columns, an array per keyword field and one for the publication second, each built on
// first use (columns.go); a handler bleve calls for every hit counts facets and days
// from them and keeps the page's best hits, loading a document's key only to break a tie
// of score or date. The page's hits are then fetched by key with their stored fields and
// highlights. Phrases are checked on term positions (query.Phrase).
//
// A process owns the index: Open takes a file lock and fails with ErrLocked within the
// lock timeout when another process holds it. Queries are parsed by package query.
package index

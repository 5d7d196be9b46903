// Package web is the archive's research interface: server-rendered HTML pages
// that work without JavaScript, and a JSON API under /api/v1 (described in
// openapi.yaml, served at /api/v1/openapi.yaml).
//
// Pages: the search page at / (query box, facets, highlighted snippets, a
// timeline of the query's daily counts as inline SVG, search_after paging,
// CSV and JSONL export links); an article page (metadata, clean text, the
// origin chain hop by hop, sister-site editions of the story, versions with
// a word diff, the archived capture); origin, site and story pages; the
// daily reports; and capture replay.
//
// An article is addressed by its site and id as a path, the site's own
// slashes included: /articles/japan/1867157 and /articles/canada/fr/1234
// (the last segment is the id, everything before it the site).
//
// Fetched content is hostile. Text from the catalog is escaped by
// html/template; search snippets are re-escaped so that only <mark> survives.
// Archived HTML never runs in the application's origin: /capture/{file}/{offset}
// serves a rewritten copy (no scripts, frames, forms, links, event handlers
// or outside URLs; images only from the archive through /capture/img) with a
// Content-Security-Policy sandbox header, and the article page shows it in a
// sandboxed iframe.
//
// Pages stay fast on a large archive: hits and facets come from the search
// index, counts over time from the catalog's daily_counts table, and articles
// are read by key; no request scans the articles table.
package web

// Package extract turns a fetched article page into a stable record (Article): identity
// (site, id, canonical URL), title, publication time, clean body text, hreflang alternates,
// images, the source credit and the body hash that keys versions.
//
// Page reads the network's one CMS template (the article/div.article__text markup every
// Pravda site shares); Generic reads any other page (origin outlets, older ecosystems) with
// a readability extractor; Any picks between them. Fetched pages are hostile: input is
// capped at MaxSize, a malformed page yields a partial record with Warnings rather than an
// error, and no input makes the extractors panic (see FuzzPage).
package extract

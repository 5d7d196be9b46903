// Package ingest turns one archived capture into catalog rows: it extracts the article
// (extract), classifies its credited source (origin) and stores article, version, links and
// daily counts (catalog). The crawler calls it for every page it fetches, and `pravda
// reindex` calls it for every record in the WARC files, so the catalog built live and the
// one rebuilt from the archive alone are the same.
package ingest

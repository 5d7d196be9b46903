// Package catalog is the SQLite catalog of the archive: sites, articles keyed
// by (site, id) with every version of their body, deletions, origin chains,
// stories, crawl runs, a fetch log, a resumable crawl frontier and daily
// counts.
//
// The catalog is derived from the WARC files and can be rebuilt from them: a
// page is archived before it is cataloged, and every write here is
// idempotent, so replaying captures after a crash changes nothing twice.
//
// catalog.db is meant to be opened with any SQLite tool; schema.sql documents
// its tables. The package uses the pure-Go modernc.org/sqlite driver in WAL
// mode with one writer connection and a separate pool of read-only
// connections, so readers never wait for a write to finish.
//
// Typical use by the crawler:
//
//	c, err := catalog.Open(ctx, "data/catalog.db")
//	...
//	res, err := c.PutArticle(ctx, art, catalog.Version{CapturedAt: t, BodyHash: h, ...})
//	switch res.Outcome {
//	case catalog.Inserted, catalog.NewVersion:
//		// index it
//	}
package catalog

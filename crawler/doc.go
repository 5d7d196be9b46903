// Package crawler runs crawl passes over network sites: it discovers new article URLs (the
// sites' JSON API, then news sitemaps, then listing pages), fetches each once through colly
// over a polite, scope-checked transport that sits on top of the WARC-recording transport,
// and hands every capture to a Handler (extraction, tracing and cataloging happen there).
// The Handler runs in a stage of its own, several goroutines per fetch worker with a bound
// on the bytes waiting, so that fetching goes on while pages wait for a catalog commit;
// a page leaves the frontier only once its Handler has returned.
//
// Politeness holds per host and per resolved IP, robots.txt is honoured (per-site switch),
// Retry-After is obeyed and failures are retried with jittered exponential backoff. A
// persistent Frontier makes a pass resumable after kill -9: discovered URLs are stored
// before any is fetched, and a site's discovery cursor only moves once its discovery is
// complete.
package crawler

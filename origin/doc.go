// Package origin says where a network article's material comes from.
//
// Classify maps the source credit an article carries (data-source-url and its visible
// name) to a kind of origin: a Telegram post or channel, a state outlet with its owner, a
// social platform, another network page (an origin chain to follow), or some other web
// page. ParseTelegram reads the public t.me/s/ view of a Telegram post, whose text and
// timestamp give the republication lag.
//
// Tracer follows credits hop by hop to the root origin — through other network pages,
// "Forwarded from" Telegram posts and outlet pages, each fetched and archived — and records
// every hop with the evidence that proved it and its lag. Grouper joins the language
// editions of one story (hreflang alternates, shared image md5s, the same root origin, and
// MinHash near-duplicates among uncredited articles) and lets an uncredited article inherit
// its story's origin only where such evidence exists.
//
// Everything here takes hostile input: it never panics and caps what it reads (see the
// fuzz tests).
package origin

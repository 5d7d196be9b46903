// Package archive is the WARC system of record of pravda-archive.
//
// Every HTTP exchange the crawler makes goes through a recording
// [Transport] that writes the request and the response byte-exact into
// gzipped WARC/1.1 files (one gzip member per record) before the caller
// sees the response. Inside a member, a body that arrived compressed
// (content-encoded, or an image) and any part under 2 KiB are kept in
// stored deflate blocks: compressing them saved little disk for much CPU.
// The members are ordinary gzip to every reader. The catalog and the search index are derived data:
// [Walk] replays the archive so that both can be rebuilt from the WARC
// files alone.
//
// A data directory's warc/ folder holds:
//
//	PREFIX-YYYYMMDDhhmmss-NNNNN.warc.gz       closed WARC files, warcinfo first
//	PREFIX-YYYYMMDDhhmmss-NNNNN.warc.gz.open  the file being written
//	PREFIX-YYYYMMDDhhmmss-NNNNN.cdxj          its CDXJ index, sorted (pywb style)
//	PREFIX-YYYYMMDDhhmmss-NNNNN.cdxj.open     the index being appended
//	.lock                                     held by the one [Writer]
//
// [Open] repairs what a crash (kill -9) left behind: a record cut short at
// the end of an .open file is cut off, the file is closed and its index is
// rebuilt. [Verify] checks the whole directory with an independent reader
// (nlnwa/gowarc) and reports every problem it finds.
package archive

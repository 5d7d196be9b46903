package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// The payloads a Writer can write revisit records for: the last DefaultDedupeLimit
// complete responses it archived or found in the archive's indexes, by URL and
// payload digest.
//
// Remembering every capture ever archived took about 200 bytes a URL for as long as
// the process ran, and reading every CDXJ file at each Open: a year of the whole
// network (some four million URLs) would be 800 MB before the first fetch. What
// dedupe is for is the same page fetched again soon (a recheck, a listing, a
// Telegram page traced twice), so the set keeps the most recent captures only, in
// fixed-size entries with no pointers for the collector to scan. An older identical
// payload is archived again in full: it costs disk, never a record.

// DefaultDedupeLimit is how many captures the dedupe set holds: about two weeks of the
// whole network (10,000 articles a day, and about a quarter as many pages traced),
// four times the default recheck window. Go's map grows its tables in steps: 200,000
// captures take 20.5 MB (102 bytes each), 240,000 take 36 MB and 300,000 39 MB, and a
// whole-network pass holds the set while its stories are regrouped (a 204,000-article
// backfill: 43 MB of its 150 MB live heap then).
const DefaultDedupeLimit = 200_000

// dedupeKey is a capture's URL and payload digest, hashed.
type dedupeKey [16]byte

func keyOf(url string, digest [20]byte) dedupeKey {
	var buf [256]byte // on the stack for every URL the crawler keeps
	b := append(append(append(buf[:0], url...), 0), digest[:]...)
	sum := sha256.Sum256(b)
	return dedupeKey(sum[:16])
}

// dedupeRef is what a revisit needs to point at an earlier response.
type dedupeRef struct {
	digest [20]byte // sha1, compared in full: the key is only a hash of it
	date   uint32   // WARC-Date of the original, Unix seconds (good to 2106)
	uuid   [16]byte // its WARC-Record-ID, <urn:uuid:…>
	slot   uint32   // its place in dedupeSet.order
}

func (r dedupeRef) warcDate() string { return warcDate(time.Unix(int64(r.date), 0)) }

func (r dedupeRef) recordID() string { return formatRecordID(r.uuid) }

// dedupeSet holds up to limit refs, forgetting the longest remembered first.
type dedupeSet struct {
	limit int
	refs  map[dedupeKey]dedupeRef
	order []dedupeKey // a ring of the keys in the order remembered
	next  int         // the slot the next key takes
	gone  int         // refs forgotten since refs was made
}

func newDedupeSet(limit int) *dedupeSet {
	if limit <= 0 {
		limit = DefaultDedupeLimit
	}
	return &dedupeSet{limit: limit, refs: make(map[dedupeKey]dedupeRef)}
}

// remember records a complete response; a record id not of our own form
// (<urn:uuid:…> in lower-case hex) is not remembered, since a revisit must name
// its original exactly.
func (s *dedupeSet) remember(url, digest, id string, date time.Time) {
	d, ok := digestBytes(digest)
	if !ok {
		return // only sha1 digests are compared
	}
	u, ok := parseRecordID(id)
	if !ok {
		return
	}
	k := keyOf(url, d)
	slot := s.next
	if slot < len(s.order) {
		// The slot's key was remembered limit keys ago; forget it unless it was
		// remembered again since, in a slot of its own.
		if old := s.order[slot]; s.refs[old].slot == uint32(slot) {
			delete(s.refs, old)
			if s.gone++; s.gone >= s.limit {
				s.compact()
			}
		}
		s.order[slot] = k
	} else {
		s.order = append(s.order, k)
	}
	s.refs[k] = dedupeRef{digest: d, date: uint32(max(0, min(date.Unix(), 1<<32-1))), uuid: u, slot: uint32(slot)}
	s.next = (slot + 1) % s.limit
}

// compact copies the refs into a new map: a Go map never shrinks, and one that
// has forgotten as many entries as it holds has grown to twice the size it needs
// (reading a big index at Open: 190 bytes a ref instead of 100).
func (s *dedupeSet) compact() {
	refs := make(map[dedupeKey]dedupeRef, s.limit)
	for k, r := range s.refs {
		refs[k] = r
	}
	s.refs, s.gone = refs, 0
}

// original returns the remembered response with this URL and payload digest.
func (s *dedupeSet) original(url string, digest [20]byte) (dedupeRef, bool) {
	r, ok := s.refs[keyOf(url, digest)]
	return r, ok && r.digest == digest
}

func (s *dedupeSet) len() int { return len(s.refs) }

// parseRecordID reads a record id that formatRecordID gives back unchanged.
func parseRecordID(id string) (u [16]byte, ok bool) {
	const prefix, n = "<urn:uuid:", len("<urn:uuid:00000000-0000-0000-0000-000000000000>")
	if len(id) != n || id[:len(prefix)] != prefix || id[n-1] != '>' {
		return u, false
	}
	hexs := id[len(prefix) : n-1]
	var raw [32]byte
	j := 0
	for i := 0; i < len(hexs); i++ {
		c := hexs[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return u, false
			}
			continue
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		default:
			return u, false
		}
		raw[j] = c
		j++
	}
	if _, err := hex.Decode(u[:], raw[:]); err != nil {
		return u, false
	}
	return u, true
}

func formatRecordID(u [16]byte) string {
	var b [len("<urn:uuid:00000000-0000-0000-0000-000000000000>")]byte
	copy(b[:], "<urn:uuid:")
	p := len("<urn:uuid:")
	for i, part := range [][]byte{u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]} {
		if i > 0 {
			b[p] = '-'
			p++
		}
		p += hex.Encode(b[p:], part)
	}
	b[p] = '>'
	return string(b[:])
}

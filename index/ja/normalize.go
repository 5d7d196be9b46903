package ja

import (
	"bytes"
	"sort"

	"golang.org/x/text/unicode/norm"
)

// folded is NFKC-normalised text with a map back to the bytes it came from. Folding happens
// before segmentation, not after: kagome splits full-width digits one by one (１２ → １, ２),
// so folding only the tokens would index "1" "2" where a query typed as "12" looks for "12".
// Token offsets must still point into the original text, which is what bleve stores and
// highlights, hence the map.
type folded struct {
	text []byte
	segs []segment // ascending by n; nil when text is the input itself
}

// segment maps text[n:n+len] to input[o:o+olen]. Identity segments map byte for byte; any
// other maps as a whole (a token touching it covers all of it).
type segment struct {
	n, nlen  int
	o, olen  int
	identity bool
}

func fold(input []byte) folded {
	if norm.NFKC.IsNormal(input) {
		return folded{text: input}
	}
	out := make([]byte, 0, len(input)+len(input)/8)
	var segs []segment
	var it norm.Iter
	it.Init(norm.NFKC, input)
	groupN, groupO := 0, 0
	for !it.Done() {
		seg := it.Next()
		out = append(out, seg...)
		p := it.Pos()
		if p == groupO {
			// A decomposition split into several segments: keep gathering until the
			// input position moves, so the whole group maps to the one source rune.
			continue
		}
		s := segment{n: groupN, nlen: len(out) - groupN, o: groupO, olen: p - groupO}
		s.identity = s.nlen == s.olen && bytes.Equal(out[groupN:], input[groupO:p])
		if k := len(segs) - 1; s.identity && k >= 0 && segs[k].identity {
			segs[k].nlen += s.nlen
			segs[k].olen += s.olen
		} else {
			segs = append(segs, s)
		}
		groupN, groupO = len(out), p
	}
	if groupN < len(out) { // trailing output with no input advance; should not happen
		segs = append(segs, segment{n: groupN, nlen: len(out) - groupN, o: groupO, olen: len(input) - groupO})
	}
	return folded{text: out, segs: segs}
}

// start maps a token's first byte to the input.
func (f *folded) start(n int) int {
	if f.segs == nil {
		return n
	}
	s := f.find(n)
	if s.identity {
		return s.o + (n - s.n)
	}
	return s.o
}

// end maps a token's exclusive end to the input.
func (f *folded) end(n int) int {
	if f.segs == nil {
		return n
	}
	if n <= 0 {
		return 0
	}
	s := f.find(n - 1)
	if s.identity {
		return s.o + (n - s.n)
	}
	return s.o + s.olen
}

func (f *folded) find(n int) segment {
	i := sort.Search(len(f.segs), func(i int) bool { return f.segs[i].n+f.segs[i].nlen > n })
	if i == len(f.segs) {
		last := f.segs[len(f.segs)-1]
		return segment{n: last.n + last.nlen, o: last.o + last.olen}
	}
	return f.segs[i]
}

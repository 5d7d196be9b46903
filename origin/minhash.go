package origin

import (
	"math/bits"
	"slices"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Near-duplicate text. Copies of one story on the network differ by a stray emoji, a
// prefixed headline, a dropped closing sentence; copies of different stories written from
// one press release differ by names, places and numbers. Character shingles of five runes
// catch both kinds of difference in Japanese (no spaces to split words on) as well as in
// Latin and Cyrillic scripts; MinHash with LSH banding finds the candidate pairs without
// comparing every pair, and the exact Jaccard similarity of the shingle sets decides.

const (
	// ShingleSize is the shingle length in runes.
	ShingleSize = 5
	// maxShingleRunes caps the text shingled: an article's first 64k characters say
	// whether it is a copy.
	maxShingleRunes = 64 << 10
	// minShingles is the fewest shingles a text needs to be compared at all: a caption or
	// a one-line item matches too much by chance.
	minShingles = 24

	numHashes = 128
	bandRows  = 4
	numBands  = numHashes / bandRows // 32 bands of 4: P(candidate) ≈ 0.99 at J = 0.6, 0.03 at J = 0.2
)

// foldText normalises text for shingling: NFKC, lower case, letters and digits kept as
// they are, every run of anything else (spaces, punctuation, emoji, variation selectors)
// one space.
func foldText(s string) []rune {
	s = norm.NFKC.String(s)
	out := make([]rune, 0, min(len(s), maxShingleRunes))
	space := true // no leading space
	for _, r := range s {
		if len(out) >= maxShingleRunes {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) && !space {
			out = append(out, unicode.ToLower(r))
			space = false
			continue
		}
		if !space {
			out = append(out, ' ')
			space = true
		}
	}
	if n := len(out); n > 0 && out[n-1] == ' ' {
		out = out[:n-1]
	}
	return out
}

// Shingles returns the distinct hashes of the k-rune shingles of text after folding,
// sorted. A text shorter than k runes is one shingle; an empty one has none.
func Shingles(text string, k int) []uint64 {
	if k <= 0 {
		k = ShingleSize
	}
	rs := foldText(text)
	if len(rs) == 0 {
		return nil
	}
	n := max(1, len(rs)-k+1)
	out := make([]uint64, 0, n)
	for i := range n {
		h := uint64(fnvOffset)
		for _, r := range rs[i:min(i+k, len(rs))] {
			h = (h ^ uint64(r)) * fnvPrime // FNV-1a over whole runes
		}
		out = append(out, mix64(h))
	}
	sortHashes(out)
	return slices.Compact(out)
}

// sortHashes sorts xs, by radix where there are enough of them. slices.Sort was half the
// time of shingling the simulator's articles (412 hashes on average, another text each
// time: 15 µs a text, where eight radix passes take 8; sorting one text over and over,
// the branch predictor learns its comparisons and flatters slices.Sort).
func sortHashes(xs []uint64) {
	if len(xs) < 256 {
		slices.Sort(xs)
		return
	}
	// Least significant byte first: eight stable passes between xs and a buffer, which is
	// pooled, so that a regroup allocates no more than the sets it keeps.
	bp := sortBufs.Get().(*[]uint64)
	if cap(*bp) < len(xs) {
		*bp = make([]uint64, len(xs))
	}
	src, dst := xs, (*bp)[:len(xs)]
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		clear(count[:])
		for _, x := range src {
			count[byte(x>>shift)]++
		}
		if count[byte(src[0]>>shift)] == len(src) {
			continue // all alike in this byte: the pass would change nothing
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, x := range src {
			b := byte(x >> shift)
			dst[count[b]] = x
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &xs[0] {
		copy(xs, src)
	}
	sortBufs.Put(bp)
}

var sortBufs = sync.Pool{New: func() any { return new([]uint64) }}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// mix64 is SplitMix64's finaliser: FNV's low bits are weak, and the MinHash
// permutations below assume well-spread inputs.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Jaccard is the Jaccard similarity of two sorted sets.
func Jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := intersection(a, b)
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// Containment is the share of the smaller of two sorted sets that is in the larger.
func Containment(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	return float64(intersection(a, b)) / float64(min(len(a), len(b)))
}

func intersection(a, b []uint64) int {
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return inter
}

// Hash function i is x ↦ (x ⊕ seed_i)·mult_i mod 2⁶⁴: one multiply per shingle and hash
// where a full mixer took two and the shifts, a third of the time. Multiply families are
// biased on structured inputs, but the shingle hashes are mix64 outputs, uniform over 64
// bits, and under any bijection the minimum of a union of uniform values falls on each
// element alike: each hash collides with probability J. What is left to check is that the
// 128 hashes are independent enough; over random sets the estimate's spread is the
// binomial one and the bands find pairs as often as theory says
// (TestMinhashFamilyIsUnbiased). The seed keeps x = 0 from being every hash's minimum.
// Seeds and multipliers are fixed so that a grouping can be repeated; signatures are not
// stored.
var hashSeeds, hashMults = func() (s, m [numHashes]uint64) {
	x := uint64(0x50524156444131) // "PRAVDA1"
	for i := range s {
		x += 0x9e3779b97f4a7c15
		s[i] = mix64(x)
		x += 0x9e3779b97f4a7c15
		m[i] = mix64(x) | 1 // odd: a bijection mod 2⁶⁴
	}
	return
}()

type signature [numHashes]uint64

const _ uint = -(numHashes % 4) // minhash takes the hashes four at a time

// minhash is the MinHash signature of a shingle set.
func minhash(sh []uint64) signature {
	var sig signature
	// Four hashes at a time over the whole set: the running minima stay in registers, and
	// the four chains of multiplies and minima run side by side (a third faster than one
	// at a time; eight at a time spill registers and are slower than one).
	for i := 0; i < numHashes; i += 4 {
		s0, s1, s2, s3 := hashSeeds[i], hashSeeds[i+1], hashSeeds[i+2], hashSeeds[i+3]
		m0, m1, m2, m3 := hashMults[i], hashMults[i+1], hashMults[i+2], hashMults[i+3]
		v0, v1, v2, v3 := ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)
		for _, x := range sh {
			v0 = min(v0, (x^s0)*m0)
			v1 = min(v1, (x^s1)*m1)
			v2 = min(v2, (x^s2)*m2)
			v3 = min(v3, (x^s3)*m3)
		}
		sig[i], sig[i+1], sig[i+2], sig[i+3] = v0, v1, v2, v3
	}
	return sig
}

// bandKey hashes band b of a signature into an LSH bucket key.
func (s *signature) bandKey(b int) uint64 {
	h := uint64(b) * 0x9e3779b97f4a7c15
	for _, v := range s[b*bandRows : (b+1)*bandRows] {
		h = mix64(h ^ v)
		h = bits.RotateLeft64(h, 17)
	}
	return h
}

// maxBucket skips LSH buckets holding more texts than this: boilerplate that many pages
// share, which would cost quadratic time and says nothing about any one pair.
const maxBucket = 256

package origin

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"
)

// textPairs finds the near duplicates textLinks asks about: which texts each anchor (an
// article nothing else links) nearly copies, or is nearly copied by. It returns the pairs
// i < j, at least one of them an anchor, that share an LSH bucket, that are near in time
// (see near) and whose shingle sets reach threshold, with the containment textLinks
// checks next.
//
// A bucket counts for an anchor only if it holds at most maxBucket texts near the anchor
// in time, the anchor included: counted over all of them, a regroup window's days would
// decide which pairs an article has (a template's bucket fills up over a week, not over
// the two days a copy is looked for), and regrouping the same days in other windows
// would give other stories.
//
// Asking for every near-duplicate pair of a regroup's window (nearPairs, now the tests'
// oracle) held every text's shingle set (3 KB on average), its 1 KB signature and a map
// of every pair in every bucket, anchors or not: 40,000 articles (a 20-day backfill of
// four sites) took 700 MB of heap and 20 s. Here a text keeps its 32 band keys (256
// bytes); each anchor's candidates are gathered from its buckets, and only the texts
// left are shingled again to be compared: one story's texts share buckets with texts of
// every other day too.
//
// The texts come from texts three times: every one for its band keys, then the anchors
// with candidates, then the other candidates, each shingled when it is read.
func textPairs(n int, texts textSource, anchors []bool, when near, threshold float64) ([]nearPair, error) {
	sets := make([][]uint64, n)
	keys := make([][numBands]uint64, n)
	has := make([]bool, n) // long enough to be compared
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	err := streamParallel(texts, all, func(i int, text string) {
		sh := Shingles(text, ShingleSize)
		if len(sh) < minShingles {
			return
		}
		sig := minhash(sh)
		for b := range numBands {
			keys[i][b] = sig.bandKey(b)
		}
		has[i] = true
	})
	if err != nil {
		return nil, err
	}
	all = nil

	// Per band, the texts sorted by their key and then their time: a bucket is a run of
	// equal keys, and the texts of it near an anchor are the run's texts without a time
	// and a stretch of the rest.
	var members []int32
	for i := range n {
		if has[i] {
			members = append(members, int32(i))
		}
	}
	order := make([][]int32, numBands)
	for b := range numBands {
		o := slices.Clone(members)
		slices.SortFunc(o, func(x, y int32) int {
			if kx, ky := keys[x][b], keys[y][b]; kx != ky {
				if kx < ky {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(when.at[x], when.at[y]), int(x-y))
		})
		order[b] = o
	}

	// Each anchor's candidates: texts of one story's days share buckets with texts from
	// every other day too, so the time is what keeps the texts to shingle few. An
	// anchor's set is held; another text is shingled again, compared with every anchor
	// that took it as a candidate (rev) and let go, so that the sets held are the anchors'
	// alone: holding the candidates' too was 95 MB for a 40,000-article regroup.
	cands := make(map[int][]int32) // anchor → the anchors after it to compare with
	rev := make(map[int][]int32)   // other text → the anchors to compare with
	compared := make([]bool, n)    // anchors with a candidate, or that are one
	var buf []int32
	for a := range n {
		if !anchors[a] || !has[a] {
			continue
		}
		buf = buf[:0]
		for b := range numBands {
			buf = when.bucket(buf, order[b], keys, b, a)
		}
		slices.Sort(buf)
		for _, m := range slices.Compact(buf) {
			// A pair of anchors is checked once, from its first.
			if int(m) == a || anchors[m] && int(m) < a {
				continue
			}
			if anchors[m] {
				cands[a] = append(cands[a], m)
				compared[m] = true
			} else {
				rev[int(m)] = append(rev[int(m)], int32(a))
			}
			compared[a] = true
		}
	}
	order, keys = nil, nil
	// Only now are the anchors' sets made, and only those compared: made in the first
	// read, every anchor's set was held beside every text's band keys. A set grows with its
	// text (the simulator's 430 bytes made this 1 MB of a 70,000-article window's peak; the
	// real network's texts run to several KB).
	var held []int
	for a := range n {
		if compared[a] {
			held = append(held, a)
		}
	}
	err = streamParallel(texts, held, func(a int, text string) { sets[a] = Shingles(text, ShingleSize) })
	if err != nil {
		return nil, err
	}

	// found[x]: the pairs found from text x, an anchor with anchor candidates or another
	// text to shingle again.
	found := make([][]nearPair, n)
	var again []int
	for x := range n {
		if rev[x] != nil {
			again = append(again, x)
		}
	}
	parallel(n, func(x int) {
		for _, m := range cands[x] {
			if p, ok := comparePair(x, int(m), sets[x], sets[m], threshold); ok {
				found[x] = append(found[x], p)
			}
		}
	})
	err = streamParallel(texts, again, func(x int, text string) {
		sh := Shingles(text, ShingleSize)
		for _, a := range rev[x] {
			i, j, si, sj := int(a), x, sets[a], sh
			if j < i {
				i, j, si, sj = j, i, sj, si
			}
			if p, ok := comparePair(i, j, si, sj, threshold); ok {
				found[x] = append(found[x], p)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	var out []nearPair
	for _, f := range found {
		out = append(out, f...)
	}
	slices.SortFunc(out, func(x, y nearPair) int {
		if x.i != y.i {
			return x.i - y.i
		}
		return x.j - y.j
	})
	return out, nil
}

// comparePair is the pair i < j with sets si and sj if they are near duplicates.
func comparePair(i, j int, si, sj []uint64, threshold float64) (nearPair, bool) {
	jac := Jaccard(si, sj)
	if jac < threshold {
		return nearPair{}, false
	}
	small := i
	if len(sj) < len(si) {
		small = j
	}
	return nearPair{i: i, j: j, jaccard: jac, contain: Containment(si, sj), small: small}, true
}

// near says which texts are near each other in time: at[i] is text i's time
// (UnixNano; noTime if unknown), and two texts are near if they are at most gap apart or
// either has no time. A gap of 0 or less puts every text near every other.
type near struct {
	at  []int64
	gap int64
}

// noTime is the time of a text without one: it sorts first.
const noTime = math.MinInt64

// nanos is t as near keeps it. A page may give any year: times beyond what UnixNano
// holds are kept at ±2^62 ns (146 years from 1970), far from every other and with room
// for a gap either side.
func nanos(t time.Time) int64 {
	const far = 1 << 62
	switch {
	case t.Before(time.Unix(0, -far)):
		return -far
	case t.After(time.Unix(0, far)):
		return far
	}
	return t.UnixNano()
}

// bucket appends to buf the texts of anchor a's band-b bucket that are near it (a
// included), when there are from 2 to maxBucket of them. order is the band's texts
// sorted by key, then time.
func (w near) bucket(buf []int32, order []int32, keys [][numBands]uint64, b, a int) []int32 {
	k := keys[a][b]
	lo, _ := slices.BinarySearchFunc(order, k, func(x int32, k uint64) int { return cmp.Compare(keys[x][b], k) })
	hi := lo + sort.Search(len(order)-lo, func(p int) bool { return keys[order[lo+p]][b] != k })
	run := order[lo:hi]
	if w.gap <= 0 || w.at[a] == noTime {
		if len(run) >= 2 && len(run) <= maxBucket {
			buf = append(buf, run...)
		}
		return buf
	}
	// The run's texts without a time come first, then the others by time.
	u := sort.Search(len(run), func(p int) bool { return w.at[run[p]] != noTime })
	from := u + sort.Search(len(run)-u, func(p int) bool { return w.at[run[u+p]] >= w.at[a]-w.gap })
	to := from + sort.Search(len(run)-from, func(p int) bool { return w.at[run[from+p]] > w.at[a]+w.gap })
	if c := u + to - from; c >= 2 && c <= maxBucket {
		buf = append(buf, run[:u]...)
		buf = append(buf, run[from:to]...)
	}
	return buf
}

// textSource streams texts: it calls fn with the text of each index in idx, in any
// order, from one goroutine at a time, and stops at fn's first error. An index it has no
// text for it may skip, which is an empty text.
type textSource func(idx []int, fn func(i int, text string) error) error

// streamParallel runs fn on every text texts gives for idx, on all cores, while texts
// reads the next ones.
func streamParallel(texts textSource, idx []int, fn func(i int, text string)) error {
	type item struct {
		i    int
		text string
	}
	var wg sync.WaitGroup
	next := make(chan item, 64)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for it := range next {
				fn(it.i, it.text)
			}
		})
	}
	err := texts(idx, func(i int, text string) error {
		next <- item{i, text}
		return nil
	})
	close(next)
	wg.Wait()
	return err
}

// parallel runs fn(0..n-1) on all cores.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// nearPair is a pair of near-duplicate texts, i < j.
type nearPair struct {
	i, j    int
	jaccard float64
	contain float64 // Containment of the two sets
	small   int     // i or j, whichever has the smaller set (i when equal)
}

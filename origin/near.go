package origin

import (
	"runtime"
	"slices"
	"sync"
)

// textPairs finds the near duplicates textLinks asks about: which texts each anchor (an
// article nothing else links) nearly copies, or is nearly copied by. It returns the pairs
// i < j, at least one of them an anchor, that share an LSH bucket of at most maxBucket
// texts, that want allows and whose shingle sets reach threshold, with the containment
// textLinks checks next.
//
// Asking for every near-duplicate pair of a regroup's window (nearPairs, now the tests'
// oracle) held every text's shingle set (3 KB on average), its 1 KB signature and a map
// of every pair in every bucket, anchors or not: 40,000 articles (a 20-day backfill of
// four sites) took 700 MB of heap and 20 s. Here a text keeps its 32 band keys (256
// bytes); each anchor's candidates are gathered from its buckets and filtered by want
// (which keeps the days close), and only the texts left are shingled again to be
// compared: one story's texts share buckets with texts of every other day too.
//
// The texts come from texts, twice: every one for its band keys, then the candidates
// that are not anchors, to be shingled again.
func textPairs(n int, texts textSource, anchors []bool, threshold float64, want func(i, j int) bool) ([]nearPair, error) {
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
		if anchors[i] {
			sets[i] = sh
		}
	})
	if err != nil {
		return nil, err
	}
	all = nil

	// Per band, the texts sorted by their key: a bucket is a run of equal keys.
	var members []int32
	for i := range n {
		if has[i] {
			members = append(members, int32(i))
		}
	}
	order := make([][]int32, numBands)
	pos := make([][]int32, numBands) // pos[b][i]: where text i is in order[b]
	for b := range numBands {
		o := slices.Clone(members)
		slices.SortFunc(o, func(x, y int32) int {
			if kx, ky := keys[x][b], keys[y][b]; kx != ky {
				if kx < ky {
					return -1
				}
				return 1
			}
			return int(x - y)
		})
		p := make([]int32, n)
		for at, i := range o {
			p[i] = int32(at)
		}
		order[b], pos[b] = o, p
	}

	// Each anchor's candidates that want allows: texts of one story's days share buckets
	// with texts from every other day too, so this is what keeps the texts to shingle few.
	// An anchor's set is held; another text is shingled again, compared with every anchor
	// that took it as a candidate (rev) and let go, so that the sets held are the anchors'
	// alone: holding the candidates' too was 95 MB for a 40,000-article regroup.
	cands := make(map[int][]int32) // anchor → the anchors after it to compare with
	rev := make(map[int][]int32)   // other text → the anchors to compare with
	needed := make([]bool, n)
	var buf []int32
	for a := range n {
		if !anchors[a] || !has[a] {
			continue
		}
		buf = buf[:0]
		for b := range numBands {
			if run := bucketOf(order[b], pos[b][a], keys, b); len(run) >= 2 && len(run) <= maxBucket {
				buf = append(buf, run...)
			}
		}
		slices.Sort(buf)
		for _, m := range slices.Compact(buf) {
			// A pair of anchors is checked once, from its first.
			if int(m) == a || anchors[m] && int(m) < a {
				continue
			}
			if want != nil && !want(min(a, int(m)), max(a, int(m))) {
				continue
			}
			if anchors[m] {
				cands[a] = append(cands[a], m)
			} else {
				rev[int(m)] = append(rev[int(m)], int32(a))
			}
			needed[a], needed[m] = true, true
		}
	}
	order, pos, keys = nil, nil, nil
	for i := range n {
		if !needed[i] {
			sets[i] = nil // an anchor with no candidate: never compared
		}
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

// bucketOf is the run of order around position at whose band-b keys equal its own; it
// stops looking once the run is past maxBucket, which is then all the caller needs to know.
func bucketOf(order []int32, at int32, keys [][numBands]uint64, b int) []int32 {
	k := keys[order[at]][b]
	lo, hi := int(at), int(at)+1
	for lo > 0 && keys[order[lo-1]][b] == k && hi-lo <= maxBucket {
		lo--
	}
	for hi < len(order) && keys[order[hi]][b] == k && hi-lo <= maxBucket {
		hi++
	}
	return order[lo:hi]
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

package origin

import (
	"runtime"
	"slices"
	"sync"
)

// textPairs finds the near duplicates textLinks asks about: which texts each anchor (an
// article nothing else links) nearly copies, or is nearly copied by. It returns the pairs
// i < j, at least one of them an anchor, that share an LSH bucket of at most maxBucket
// texts, that want allows and whose shingle sets reach threshold; and the shingle sets of
// the texts in any pair so checked (nil for the rest).
//
// Asking for every near-duplicate pair of a regroup's window (nearPairs, now the tests'
// oracle) held every text's shingle set (3 KB on average), its 1 KB signature and a map
// of every pair in every bucket, anchors or not: 40,000 articles (a 20-day backfill of
// four sites) took 700 MB of heap and 20 s. Here a text keeps its 32 band keys (256
// bytes); each anchor's candidates are gathered from its buckets and filtered by want
// (which keeps the days close), and only the texts left are shingled again to be
// compared: one story's texts share buckets with texts of every other day too.
func textPairs(n int, text func(i int) string, anchors []bool, threshold float64, want func(i, j int) bool) ([]nearPair, [][]uint64) {
	sets := make([][]uint64, n)
	keys := make([][numBands]uint64, n)
	has := make([]bool, n) // long enough to be compared
	parallel(n, func(i int) {
		sh := Shingles(text(i), ShingleSize)
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
	// with texts from every other day too, so this is what keeps the sets to shingle few.
	cands := make(map[int][]int32)
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
		var list []int32
		for _, m := range slices.Compact(buf) {
			// A pair of anchors is checked once, from its first.
			if int(m) == a || anchors[m] && int(m) < a {
				continue
			}
			if want != nil && !want(min(a, int(m)), max(a, int(m))) {
				continue
			}
			list = append(list, m)
			needed[m] = true
		}
		if len(list) > 0 {
			cands[a] = list
			needed[a] = true
		}
	}
	order, pos, keys = nil, nil, nil
	parallel(n, func(i int) {
		switch {
		case !needed[i]:
			sets[i] = nil // an anchor with no candidate: never compared
		case sets[i] == nil:
			sets[i] = Shingles(text(i), ShingleSize)
		}
	})

	var out []nearPair
	for a := range n {
		for _, m := range cands[a] {
			i, j := min(a, int(m)), max(a, int(m))
			if jac := Jaccard(sets[i], sets[j]); jac >= threshold {
				out = append(out, nearPair{i: i, j: j, jaccard: jac})
			}
		}
	}
	slices.SortFunc(out, func(x, y nearPair) int {
		if x.i != y.i {
			return x.i - y.i
		}
		return x.j - y.j
	})
	return out, sets
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
}

package origin

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/sim"
)

// textPairs must give exactly the pairs its oracles give: nearPairs when time does not
// count (same pairs, same similarities and containments, same order), anchorPairs when
// it does.
func TestTextPairsMatchesNearPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	check := func(t *testing.T, texts []string, anchors []bool, when near) {
		t.Helper()
		sets := make([][]uint64, len(texts))
		for i, x := range texts {
			sets[i] = Shingles(x, ShingleSize)
		}
		want := anchorPairs(sets, anchors, when, DefaultThreshold)
		if when.gap <= 0 {
			old := nearPairs(sets, DefaultThreshold, func(i, j int) bool { return anchors[i] || anchors[j] })
			if fmt.Sprint(want) != fmt.Sprint(old) {
				t.Fatalf("the oracles differ: anchorPairs %d pairs, nearPairs %d", len(want), len(old))
			}
		}
		// The texts come in an order of their own, as the catalog's chunks give them.
		got, err := textPairs(len(texts), shuffledTexts(texts, rng.Uint64()), anchors, when, DefaultThreshold)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("textPairs gave %d pairs, the oracle %d:\n%v\n%v", len(got), len(want), got, want)
		}
	}
	// Times over six days, some unknown, and a gap of two.
	times := func(n int) near {
		w := near{at: make([]int64, n), gap: int64(48 * time.Hour)}
		for i := range w.at {
			w.at[i] = noTime
			if rng.IntN(10) > 0 {
				w.at[i] = nanos(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(144 * time.Hour)))))
			}
		}
		return w
	}
	// Stories told in a few variants, plus boilerplate shared by many texts, so that
	// buckets of every size occur, some over maxBucket.
	words := strings.Fields("санкции заявил министр граница 東京都 大使館 переговоры Москва visite président Berlin Regierung экономика 会談 ракета выборы")
	story := func(seed int) string {
		r := rand.New(rand.NewPCG(uint64(seed), 1))
		var b strings.Builder
		for range 60 {
			b.WriteString(words[r.IntN(len(words))] + " ")
		}
		return b.String()
	}
	for trial := range 4 {
		var texts []string
		for i := range 400 + trial*100 {
			s := story(rng.IntN(60))
			switch rng.IntN(4) {
			case 0: // a copy with a changed ending
				s = s[:len(s)*3/4] + story(1000 + i)[:40]
			case 1: // boilerplate most texts share
				s = "Подписывайтесь на наш канал в Telegram, чтобы быть в курсе. " + s
			case 2:
				s = s[:30] // too short to compare
			}
			texts = append(texts, s)
		}
		if trial == 0 {
			// One text copied more often than a bucket may hold: no pair from it.
			for range maxBucket + 40 {
				texts = append(texts, story(9999))
			}
		}
		anchors := make([]bool, len(texts))
		for i := range anchors {
			anchors[i] = rng.IntN(5) == 0
		}
		check(t, texts, anchors, near{at: make([]int64, len(texts))})
		check(t, texts, anchors, times(len(texts)))
	}
	// And on the simulator's articles, whose stories share templates.
	n, err := sim.New(sim.Config{Seed: 5, Days: 2, PerDay: 30, Now: func() time.Time { return time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, x := range n.Truth() {
		texts = append(texts, x.Title+"\n"+x.Text)
	}
	for _, every := range []int{1, 3, 7} {
		anchors := make([]bool, len(texts))
		for i := range anchors {
			anchors[i] = i%every == 0
		}
		check(t, texts, anchors, near{at: make([]int64, len(texts))})
		check(t, texts, anchors, times(len(texts)))
	}
}

// is says whether texts i and j are near, as near's doc has it.
func (w near) is(i, j int) bool {
	if w.gap <= 0 || w.at[i] == noTime || w.at[j] == noTime {
		return true
	}
	d := w.at[i] - w.at[j]
	return d <= w.gap && -d <= w.gap
}

// anchorPairs is textPairs' oracle, the slow way: for each anchor and band, the texts of
// its bucket near it in time, if there are from 2 to maxBucket of them, are its
// candidates (a pair of anchors from its first only), and the candidates whose sets reach
// threshold are the pairs.
func anchorPairs(sets [][]uint64, anchors []bool, when near, threshold float64) []nearPair {
	sigs := make([]*signature, len(sets))
	for i, s := range sets {
		if len(s) >= minShingles {
			sig := minhash(s)
			sigs[i] = &sig
		}
	}
	cand := map[[2]int]bool{}
	for b := range numBands {
		buckets := map[uint64][]int{}
		for i, sig := range sigs {
			if sig != nil {
				buckets[sig.bandKey(b)] = append(buckets[sig.bandKey(b)], i)
			}
		}
		for _, members := range buckets {
			for _, a := range members {
				if !anchors[a] {
					continue
				}
				var local []int
				for _, m := range members {
					if when.is(a, m) {
						local = append(local, m)
					}
				}
				if len(local) < 2 || len(local) > maxBucket {
					continue
				}
				for _, m := range local {
					if m != a && !(anchors[m] && m < a) {
						cand[[2]int{min(a, m), max(a, m)}] = true
					}
				}
			}
		}
	}
	var out []nearPair
	for p := range cand {
		if q, ok := comparePair(p[0], p[1], sets[p[0]], sets[p[1]], threshold); ok {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b nearPair) int {
		if a.i != b.i {
			return a.i - b.i
		}
		return a.j - b.j
	})
	return out
}

// shuffledTexts is a textSource over texts held in memory that gives them in a random
// order.
func shuffledTexts(texts []string, seed uint64) textSource {
	rng := rand.New(rand.NewPCG(seed, 2))
	return func(idx []int, fn func(i int, text string) error) error {
		idx = slices.Clone(idx)
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx {
			if err := fn(i, texts[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// nearPairs is textPairs' oracle, the way the grouping once asked for near duplicates:
// the pairs among texts whose shingle sets have a Jaccard similarity of at least
// threshold, among those that want(i, j) allows. sets are sorted shingle hashes; sets
// with fewer than minShingles take no part. Each pair is reported once, i < j.
func nearPairs(sets [][]uint64, threshold float64, want func(i, j int) bool) []nearPair {
	sigs := make([]*signature, len(sets))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				sig := minhash(sets[i])
				sigs[i] = &sig
			}
		})
	}
	for i, s := range sets {
		if len(s) >= minShingles {
			next <- i
		}
	}
	close(next)
	wg.Wait()
	seen := map[uint64]struct{}{} // i<<32 | j: a one-word key hashes faster than a pair
	var out []nearPair
	buckets := map[uint64][]int{}
	for b := range numBands {
		clear(buckets)
		for i, sig := range sigs {
			if sig != nil {
				k := sig.bandKey(b)
				buckets[k] = append(buckets[k], i)
			}
		}
		for _, members := range buckets {
			if len(members) < 2 || len(members) > maxBucket {
				continue
			}
			for x, i := range members {
				for _, j := range members[x+1:] {
					p := uint64(i)<<32 | uint64(j)
					if _, ok := seen[p]; ok {
						continue
					}
					seen[p] = struct{}{}
					if want != nil && !want(i, j) {
						continue
					}
					if jac := Jaccard(sets[i], sets[j]); jac >= threshold {
						small := i
						if len(sets[j]) < len(sets[i]) {
							small = j
						}
						out = append(out, nearPair{i: i, j: j, jaccard: jac, contain: Containment(sets[i], sets[j]), small: small})
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b nearPair) int {
		if a.i != b.i {
			return a.i - b.i
		}
		return a.j - b.j
	})
	return out
}

// A text source's error ends textPairs with it.
func TestTextPairsStopsOnTheSourcesError(t *testing.T) {
	texts := make([]string, 50)
	for i := range texts {
		texts[i] = strings.Repeat(fmt.Sprintf("story %d is told at length ", i%5), 10)
	}
	anchors := make([]bool, len(texts))
	for i := range anchors {
		anchors[i] = i%2 == 0
	}
	broken := errors.New("disk gone")
	for _, after := range []int{0, len(texts) - 1, len(texts) + 3} { // in the first read, at its end, in the second
		served := 0
		src := func(idx []int, fn func(i int, text string) error) error {
			for _, i := range idx {
				if served == after {
					return broken
				}
				served++
				if err := fn(i, texts[i]); err != nil {
					return err
				}
			}
			return nil
		}
		if _, err := textPairs(len(texts), src, anchors, near{at: make([]int64, len(texts))}, DefaultThreshold); !errors.Is(err, broken) {
			t.Errorf("source failing after %d texts: %v", after, err)
		}
	}
	if got, err := textPairs(len(texts), shuffledTexts(texts, 1), anchors, near{at: make([]int64, len(texts))}, DefaultThreshold); err != nil || len(got) == 0 {
		t.Fatalf("the texts without a failure: %d pairs, %v", len(got), err)
	}
}

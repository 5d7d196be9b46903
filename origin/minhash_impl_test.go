package origin

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/sim"
)

// The faster minhash and sort must give what the plain ones gave, bit for bit: the
// grouping's candidate pairs depend on every hash.

// minhashPlain is minhash as it was: one hash function at a time.
func minhashPlain(sh []uint64) signature {
	var sig signature
	for i := range sig {
		s, m := hashSeeds[i], hashMults[i]
		v := ^uint64(0)
		for _, x := range sh {
			v = min(v, (x^s)*m)
		}
		sig[i] = v
	}
	return sig
}

func TestMinhashSameAsPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{0, 1, 3, 24, 100, 1000} {
		for range 20 {
			sh := make([]uint64, n)
			for i := range sh {
				sh[i] = r.Uint64()
				if r.IntN(10) == 0 {
					sh[i] = uint64(r.IntN(4)) // small values, and zero
				}
			}
			if got, want := minhash(sh), minhashPlain(sh); got != want {
				t.Fatalf("%d shingles: signatures differ", n)
			}
		}
	}
	for _, s := range simSets()[:200] {
		if minhash(s) != minhashPlain(s) {
			t.Fatal("simulator text: signatures differ")
		}
	}
}

func TestSortHashesSameAsSort(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	gens := []func() uint64{
		r.Uint64,
		func() uint64 { return uint64(r.IntN(1000)) },                 // high bytes all zero
		func() uint64 { return 0xabcdef<<40 | uint64(r.IntN(1<<16)) }, // middle bytes alike
		func() uint64 { return r.Uint64() &^ 0xff00 },                 // one byte alike
		func() uint64 { return uint64(r.IntN(3)) << 56 },              // many duplicates
	}
	for _, n := range []int{0, 1, 2, 255, 256, 257, 1000, 5000} {
		for gi, gen := range gens {
			xs := make([]uint64, n)
			for i := range xs {
				xs[i] = gen()
			}
			want := slices.Clone(xs)
			slices.Sort(want)
			got := slices.Clone(xs)
			if sortHashes(got); !slices.Equal(got, want) {
				t.Fatalf("%d values from generator %d: not sorted alike", n, gi)
			}
		}
	}
}

// simTexts are the simulator's texts as the regroup shingles them (simSets' texts).
var simTexts = sync.OnceValue(func() []string {
	n, err := sim.New(sim.Config{Seed: 5, Days: 3, PerDay: 150,
		Now: func() time.Time { return time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		panic(err)
	}
	var texts []string
	for _, x := range n.Truth() {
		texts = append(texts, x.Title+"\n"+x.Text)
	}
	return texts
})

// BenchmarkShinglesSim shingles the simulator's texts, another each time as in a regroup
// (BenchmarkShingles shingles one text over and over, whose sort the branch predictor
// learns: it flatters a comparison sort).
func BenchmarkShinglesSim(b *testing.B) {
	texts := simTexts()
	var cpu CPUClock
	cpu.Start()
	i := 0
	for b.Loop() {
		Shingles(texts[i%len(texts)], ShingleSize)
		i++
	}
	cpu.Stop()
	cpu.Report(b)
}

// BenchmarkSortHashes sorts the shingle hashes of the simulator's texts as Shingles has
// them before sorting (duplicates and all), another text each time: "radix" is
// sortHashes, "pdq" slices.Sort.
func BenchmarkSortHashes(b *testing.B) {
	var hashes [][]uint64
	longest := 0
	for _, text := range simTexts() {
		rs := foldText(text)
		var h []uint64
		for i := range max(1, len(rs)-ShingleSize+1) {
			v := uint64(fnvOffset)
			for _, r := range rs[i:min(i+ShingleSize, len(rs))] {
				v = (v ^ uint64(r)) * fnvPrime
			}
			h = append(h, mix64(v))
		}
		hashes = append(hashes, h)
		longest = max(longest, len(h))
	}
	buf := make([]uint64, longest)
	for _, impl := range []struct {
		name string
		sort func([]uint64)
	}{{"radix", sortHashes}, {"pdq", slices.Sort[[]uint64]}} {
		b.Run(impl.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				h := hashes[i%len(hashes)]
				copy(buf, h)
				impl.sort(buf[:len(h)])
				i++
			}
		})
	}
}

// BenchmarkMinhashPlain is BenchmarkMinhash with the plain loop, for comparison in one run.
func BenchmarkMinhashPlain(b *testing.B) {
	sets := simSets()
	var cpu CPUClock
	cpu.Start()
	i := 0
	for b.Loop() {
		minhashPlain(sets[i%len(sets)])
		i++
	}
	cpu.Stop()
	cpu.Report(b)
}

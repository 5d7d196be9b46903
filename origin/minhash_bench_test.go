package origin

import (
	"sync"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/sim"
)

// simSets are the shingle sets of a simulated network's texts (six sites, three days of
// 150 stories a day): what a pass's regroup shingles and compares.
var simSets = sync.OnceValue(func() [][]uint64 {
	n, err := sim.New(sim.Config{Seed: 5, Days: 3, PerDay: 150,
		Now: func() time.Time { return time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		panic(err)
	}
	var sets [][]uint64
	for _, x := range n.Truth() {
		sets = append(sets, Shingles(x.Title+"\n"+x.Text, ShingleSize))
	}
	return sets
})

func BenchmarkShingles(b *testing.B) {
	var cpu CPUClock
	cpu.Start()
	for b.Loop() {
		Shingles(jaOriginal+jaOther+jaUnrelated, ShingleSize)
	}
	cpu.Stop()
	cpu.Report(b)
}

// BenchmarkMinhash signs the simulator's texts; ns/op is per text.
func BenchmarkMinhash(b *testing.B) {
	sets := simSets()
	shingles := 0
	for _, s := range sets {
		shingles += len(s)
	}
	var cpu CPUClock
	cpu.Start()
	i := 0
	for b.Loop() {
		minhash(sets[i%len(sets)])
		i++
	}
	cpu.Stop()
	cpu.Report(b)
	b.ReportMetric(float64(shingles)/float64(len(sets)), "shingles/text")
}

// BenchmarkNearPairs finds the near-duplicates among the simulator's ~2,700 texts.
func BenchmarkNearPairs(b *testing.B) {
	sets := simSets()
	var cpu CPUClock
	cpu.Start()
	for b.Loop() {
		nearPairs(sets, DefaultThreshold, nil)
	}
	cpu.Stop()
	cpu.Report(b)
	b.ReportMetric(float64(len(sets)), "texts")
}

package origin

import (
	"testing"
	"time"

	"github.com/pravda-archive/pravda/sim"
)

func TestDebugNearDist(t *testing.T) {
	for _, seed := range []int64{11, 3, 7, 21, 99} {
		n, err := sim.New(sim.Config{Seed: seed, Days: 3, PerDay: 20, Now: func() time.Time { return time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC) }})
		if err != nil {
			t.Fatal(err)
		}
		tr := n.Truth()
		sets := make([][]uint64, len(tr))
		fs := make([]facts, len(tr))
		for i, x := range tr {
			sets[i] = Shingles(x.Title+"\n"+x.Text, 5)
			fs[i] = factsOf(x.Text)
		}
		type c struct{ same, diff, sameF, diffF int }
		hist := make([]c, 21)
		for i := range tr {
			for j := i + 1; j < len(tr); j++ {
				jac := Jaccard(sets[i], sets[j])
				if jac < 0.3 {
					continue
				}
				b := int(jac * 20)
				si, sj := i, j
				if len(sets[sj]) < len(sets[si]) {
					si, sj = sj, si
				}
				ok := Containment(sets[i], sets[j]) >= MinContainment && fs[si].within(fs[sj])
				if tr[i].Story == tr[j].Story {
					hist[b].same++
					if ok {
						hist[b].sameF++
					} else {
						t.Logf("TRUE REJECTED %.2f C=%.2f %v %v | %v %v", jac, Containment(sets[i], sets[j]), fs[i].numbers, fs[i].names, fs[j].numbers, fs[j].names)
					}
				} else {
					hist[b].diff++
					if ok {
						hist[b].diffF++
						if jac >= 0.6 {
							t.Logf("FALSE KEPT %.2f %s %s\n%s\n%v %v\n---\n%s\n%v %v", jac, tr[i].Key, tr[j].Key, tr[i].Text, fs[i].numbers, fs[i].names, tr[j].Text, fs[j].numbers, fs[j].names)
						}
					}
				}
			}
		}
		for b := 6; b <= 20; b++ {
			h := hist[b]
			t.Logf("seed %d J %.2f: same %4d (facts ok %4d)  diff %4d (facts ok %4d)", seed, float64(b)/20, h.same, h.sameF, h.diff, h.diffF)
		}
	}
}

package origin

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pravda-archive/pravda/sim"
	"golang.org/x/text/unicode/norm"
)

const (
	jaOriginal = "ロシア外務省によると、火曜日に東京で地域安全保障に関する協議が行われた。" +
		"両代表団は軍備管理や航行の安全を含む12項目の議題について話し合った。" +
		"同省によると、協議は率直かつ実務的な雰囲気の中で行われた。" +
		"双方は専門家レベルでの接触を続け、次回はウィーンで会合を開くことで合意した。" +
		"会合後に共同声明は発表されなかった。"
	// The same story copied: a stray emoji selector, the headline prefixed, the last
	// sentence dropped, different spacing.
	jaCopy = "\uFE0F【続報】 ロシア外務省によると、火曜日に東京で地域安全保障に関する協議が行われた。\n\n" +
		"両代表団は軍備管理や航行の安全を含む１２項目の議題について話し合った。" +
		"同省によると、協議は率直かつ実務的な雰囲気の中で行われた。 " +
		"双方は専門家レベルでの接触を続け、次回はウィーンで会合を開くことで合意した。"
	// Another story from the same template: another city, another number.
	jaOther = "ロシア外務省によると、火曜日に大阪で地域安全保障に関する協議が行われた。" +
		"両代表団は軍備管理や航行の安全を含む7項目の議題について話し合った。" +
		"同省によると、協議は率直かつ実務的な雰囲気の中で行われた。" +
		"双方は専門家レベルでの接触を続け、次回はジュネーブで会合を開くことで合意した。" +
		"会合後に共同声明は発表されなかった。"
	jaUnrelated = "ロシア文化フェスティバルが土曜日に開幕し、民族アンサンブルによるコンサートが行われた。" +
		"プログラムには映画上映や写真展、料理のマスタークラスが含まれている。" +
		"主催者によると、初日には数千人が来場した。"
)

func TestShinglesFoldCaseSpaceAndPunctuation(t *testing.T) {
	a := Shingles("Hello,   World!\n\nThe  end.", 5)
	b := Shingles("hello world — the END", 5)
	if !slices.Equal(a, b) {
		t.Errorf("folded texts differ: %d vs %d shingles", len(a), len(b))
	}
	if got := Shingles("abc", 5); len(got) != 1 {
		t.Errorf("short text: %d shingles, want 1", len(got))
	}
	if got := Shingles(" \n\uFE0F!? ", 5); len(got) != 0 {
		t.Errorf("punctuation only: %d shingles", len(got))
	}
	if got := Shingles("東京で協議", 5); len(got) != 1 {
		t.Errorf("five kanji: %d shingles, want 1", len(got))
	}
}

func TestNearDuplicatesInJapanese(t *testing.T) {
	texts := []string{jaOriginal, jaCopy, jaOther, jaUnrelated}
	sets := make([][]uint64, len(texts))
	for i, s := range texts {
		sets[i] = Shingles(s, ShingleSize)
	}
	if j := Jaccard(sets[0], sets[1]); j < 0.6 || Containment(sets[0], sets[1]) < MinContainmentForTest {
		t.Errorf("copy: J=%.2f C=%.2f", j, Containment(sets[0], sets[1]))
	}
	if j := Jaccard(sets[0], sets[3]); j > 0.1 {
		t.Errorf("unrelated: J=%.2f", j)
	}
	pairs := nearPairs(sets, 0.6, nil)
	var found []([2]int)
	for _, p := range pairs {
		found = append(found, [2]int{p.i, p.j})
	}
	// Shingles alone pair the template-mates too; the facts tell them apart.
	if !slices.Contains(found, [2]int{0, 1}) || !slices.Contains(found, [2]int{0, 2}) || slices.Contains(found, [2]int{0, 3}) {
		t.Fatalf("pairs %v", found)
	}
	orig, cp, other := factsOf(jaOriginal), factsOf(jaCopy), factsOf(jaOther)
	if !cp.within(orig) {
		t.Errorf("copy's facts %+v not within the original's %+v", cp, orig)
	}
	if other.within(orig) || orig.within(other) {
		t.Errorf("template-mates agree on facts: %+v / %+v", orig, other)
	}
}

const MinContainmentForTest = 0.9

func TestFacts(t *testing.T) {
	for _, tt := range []struct {
		text           string
		numbers, names []string
	}{
		{"Police counted about 8013 tractors. Fuel costs rose by 6% in Geneva, said analyst Andrei Sokolov.",
			[]string{"6", "8013"}, []string{"Andrei", "Geneva", "Sokolov"}},
		{"Во вторник в Токио состоялись консультации. Стороны встретятся в Вене через 3 месяца.",
			[]string{"3"}, []string{"Вене", "Токио"}},
		{"次回はウィーンで会合を開く。政治学者のアンドレイ・ソコロフ氏は１２項目と述べた。",
			[]string{"12"}, []string{"アンドレイ", "ウィーン", "ソコロフ"}},
	} {
		f := factsOf(tt.text)
		if !slices.Equal(f.numbers, tt.numbers) || !slices.Equal(f.names, tt.names) {
			t.Errorf("%q:\n numbers %q want %q\n names %q want %q", tt.text, f.numbers, tt.numbers, f.names, tt.names)
		}
	}
}

func TestMinhashEstimatesJaccard(t *testing.T) {
	for _, pair := range [][2]string{
		{jaOriginal + jaUnrelated, jaOriginal + jaOther},
		{jaOriginal, jaCopy},
		{jaOriginal, jaOther},
		{jaOriginal + jaOther, jaUnrelated + jaOther},
	} {
		a, b := Shingles(pair[0], 5), Shingles(pair[1], 5)
		sa, sb := minhash(a), minhash(b)
		same := 0
		for i := range sa {
			if sa[i] == sb[i] {
				same++
			}
		}
		// 128 hashes: the estimate's standard error is at most 0.045.
		est, exact := float64(same)/numHashes, Jaccard(a, b)
		if d := est - exact; d > 0.12 || d < -0.12 {
			t.Errorf("MinHash estimate %.2f, exact %.2f", est, exact)
		}
	}
}

// TestMinhashFamilyIsUnbiased checks the hash family over random sets of shingle hashes
// (uniform 64-bit values, as Shingles gives): each hash must collide with probability J,
// the 128 hashes must be independent (the estimate's variance the binomial J(1-J)/128;
// correlated hashes inflate it), and the LSH bands must make a J = 0.6 pair a candidate
// as often as 1-(1-J⁴)³² says.
func TestMinhashFamilyIsUnbiased(t *testing.T) {
	trials := 400
	if testing.Short() {
		trials = 150
	}
	r := rand.New(rand.NewPCG(7, 11))
	for _, union := range []int{30, 400, 3000} {
		for _, j := range []float64{0.2, 0.6, 0.9} {
			shared := int(math.Round(j * float64(union)))
			own := (union - shared) / 2
			exact := float64(shared) / float64(shared+2*own)
			var sum, sq float64
			candidates := 0
			for range trials {
				a, b := make([]uint64, 0, shared+own), make([]uint64, 0, shared+own)
				for range shared {
					x := r.Uint64()
					a, b = append(a, x), append(b, x)
				}
				for range own {
					a, b = append(a, r.Uint64()), append(b, r.Uint64())
				}
				slices.Sort(a)
				slices.Sort(b)
				sa, sb := minhash(a), minhash(b)
				same := 0
				for i := range sa {
					if sa[i] == sb[i] {
						same++
					}
				}
				for band := range numBands {
					if sa.bandKey(band) == sb.bandKey(band) {
						candidates++
						break
					}
				}
				d := float64(same)/numHashes - exact
				sum += d
				sq += d * d
			}
			bias := sum / float64(trials)
			binomial := exact * (1 - exact) / numHashes
			varRatio := (sq/float64(trials) - bias*bias) / binomial
			rate, want := float64(candidates)/float64(trials), 1-math.Pow(1-math.Pow(exact, bandRows), numBands)
			t.Logf("|A∪B| %4d J %.2f: bias %+.4f, variance %.2f× binomial, candidates %.3f (theory %.3f)",
				union, exact, bias, varRatio, rate, want)
			// About 5 standard errors each: the test is deterministic, the margins are for
			// a family that is only slightly off.
			if se := math.Sqrt(binomial / float64(trials)); math.Abs(bias) > 5*se {
				t.Errorf("|A∪B| %d J %.2f: estimate biased by %+.4f (se %.4f)", union, exact, bias, se)
			}
			if lim := 5 * math.Sqrt(2/float64(trials)); math.Abs(varRatio-1) > lim {
				t.Errorf("|A∪B| %d J %.2f: variance %.2f× the binomial: hashes correlated", union, exact, varRatio)
			}
			if se := math.Sqrt(want * (1 - want) / float64(trials)); math.Abs(rate-want) > 5*se+0.01 {
				t.Errorf("|A∪B| %d J %.2f: %.3f of pairs candidates, theory %.3f", union, exact, rate, want)
			}
		}
	}
}

// TestNearDuplicatesOnTheSimulator measures the near-duplicate rule (Jaccard ≥
// DefaultThreshold, containment, facts) on the simulator's texts against its stories:
// every same-story pair it finds must be right, and it must find the copies.
func TestNearDuplicatesOnTheSimulator(t *testing.T) {
	seeds := []int64{11, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	now := func() time.Time { return time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC) }
	var tp, fp, fn, templateMates int
	for _, seed := range seeds {
		n, err := sim.New(sim.Config{Seed: seed, Days: 3, PerDay: 20, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		tr := n.Truth()
		sets := make([][]uint64, len(tr))
		fs := make([]facts, len(tr))
		for i, x := range tr {
			sets[i] = Shingles(x.Title+"\n"+x.Text, ShingleSize)
			fs[i] = factsOf(x.Text)
		}
		found := map[[2]int]bool{}
		for _, p := range nearPairs(sets, DefaultThreshold, nil) {
			s, l := p.i, p.j
			if len(sets[l]) < len(sets[s]) {
				s, l = l, s
			}
			if tr[p.i].Story != tr[p.j].Story {
				templateMates++
			}
			if Containment(sets[s], sets[l]) < MinContainment || !fs[s].within(fs[l]) {
				continue
			}
			found[[2]int{p.i, p.j}] = true
			if tr[p.i].Story == tr[p.j].Story {
				tp++
			} else {
				fp++
			}
		}
		// Copies the rule must find: same story, same text language.
		for i := range tr {
			for j := i + 1; j < len(tr); j++ {
				if tr[i].Story == tr[j].Story && Jaccard(sets[i], sets[j]) >= DefaultThreshold && !found[[2]int{i, j}] {
					fn++
				}
			}
		}
	}
	p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("near-duplicate pairs: %d right, %d wrong, %d missed (precision %.3f, recall %.3f); %d template-mate candidates rejected",
		tp, fp, fn, p, r, templateMates-fp)
	// About 70 pairs a seed: -short (one seed) must not fail for having fewer.
	if p < 0.99 || r < 0.99 || tp < 50*len(seeds) {
		t.Errorf("precision %.3f recall %.3f over %d pairs", p, r, tp)
	}
}

func FuzzShingles(f *testing.F) {
	for _, s := range []string{jaCopy, "Hello, World", "", "\uFE0F", "a\u0301b", strings.Repeat("x", 300), "\xff\xfe bad utf8"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, k int) {
		k = k%12 + 1
		if k < 1 {
			k += 12
		}
		sh := Shingles(s, k)
		if !slices.IsSorted(sh) || len(slices.Compact(slices.Clone(sh))) != len(sh) {
			t.Fatal("shingles not sorted and distinct")
		}
		// NFKC may expand a rune (㍈ is five letters), never beyond this.
		if n := utf8.RuneCountInString(norm.NFKC.String(s)); len(sh) > n+1 {
			t.Fatalf("%d shingles from %d runes", len(sh), n)
		}
		if len(sh) > 0 && Jaccard(sh, sh) != 1 {
			t.Fatal("J(x, x) != 1")
		}
		f := factsOf(s)
		if !f.within(f) {
			t.Fatal("facts not within themselves")
		}
	})
}

package origin

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Facts. Shingle similarity cannot tell a copy of a story from another story written from
// the same template — a daily casualty report, a second gas-maintenance notice, the next
// prisoner exchange — whose texts differ only in their numbers and names and score up to
// 0.95. A copy keeps the facts, though: it may lose a sentence or gain a headline, but the
// numbers and names it keeps are the original's. So a near-duplicate must also agree on
// them.

// facts are a text's numbers and names.
type facts struct {
	numbers []string // digit runs, sorted, distinct
	names   []string // capitalised words not opening a sentence; katakana runs
}

// maxFactRunes caps the text read for facts, like maxShingleRunes.
const maxFactRunes = maxShingleRunes

// factsOf reads the numbers and names of a body text (not its title, where copies add
// "Update:" and the like).
func factsOf(text string) facts {
	var f facts
	var tok []rune
	kind := 0 // 0 none, 1 digits, 2 word, 3 katakana
	sentenceStart := true
	wordAtStart := false
	flush := func() {
		switch kind {
		case 1:
			f.numbers = append(f.numbers, string(tok))
		case 2:
			if !wordAtStart && len(tok) >= 2 && unicode.IsUpper(tok[0]) {
				f.names = append(f.names, string(tok))
			}
		case 3:
			if len(tok) >= 2 {
				f.names = append(f.names, string(tok))
			}
		}
		tok, kind = tok[:0], 0
	}
	n := 0
	for _, r := range norm.NFKC.String(text) {
		if n++; n > maxFactRunes {
			break
		}
		var k int
		switch {
		case unicode.IsDigit(r):
			k = 1
		case unicode.Is(unicode.Katakana, r) || r == 'ー' && kind == 3:
			k = 3
		case unicode.IsLetter(r) && !unicode.Is(unicode.Han, r) && !unicode.Is(unicode.Hiragana, r):
			k = 2
		case (r == '-' || r == '\'' || r == '’') && kind == 2:
			k = 2 // Nowy-Dwór, O'Neill
		}
		if k != kind {
			flush()
			if k == 2 {
				wordAtStart = sentenceStart
			}
			kind = k
		}
		if k != 0 {
			tok = append(tok, r)
			sentenceStart = false
			continue
		}
		switch {
		case strings.ContainsRune(".!?。！？:\n", r):
			sentenceStart = true
		case unicode.IsSpace(r), strings.ContainsRune(`"'«»“”„()[]`, r):
		default:
			sentenceStart = false
		}
	}
	flush()
	slices.Sort(f.numbers)
	f.numbers = slices.Compact(f.numbers)
	slices.Sort(f.names)
	f.names = slices.Compact(f.names)
	return f
}

// within reports whether all of f's facts are among g's: what a copy keeps of its
// original. Another story from the same template has numbers and names of its own. (Exact:
// on the simulator, allowing one fact in ten to differ let a city through in German, whose
// capitalised nouns swell the names.)
func (f facts) within(g facts) bool {
	return subset(f.numbers, g.numbers) && subset(f.names, g.names)
}

func subset(a, b []string) bool {
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			return false
		}
	}
	return true
}

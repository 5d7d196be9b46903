package ja

import (
	"fmt"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// TokenizerName is the name the tokenizer is registered under in bleve's registry.
const TokenizerName = "kagome_ja"

const (
	// MaxInput caps what one Tokenize call reads; the rest is ignored. Fetched text is
	// hostile and kagome's lattice grows with its input.
	MaxInput = 4 << 20
	// chunkSize bounds one kagome call. Text is cut at sentence ends first; a run with
	// none is cut at a space or, failing that, at a rune boundary.
	chunkSize = 2048
)

// Tokenizer segments Japanese text into words with kagome in search mode, which is normal
// segmentation plus splitting long compounds: 東京都知事 is 東京|都|知事, not normal
// mode's 東京|都知事, so 東京都 and 知事 find it while 京都 still does not. It folds the
// text to NFKC first (full-width Latin and digits, half-width kana), drops tokens that hold
// no letter or digit (punctuation, spaces) and drops particles (助詞) while keeping their
// position, so phrases still line up across them. Offsets are bytes of the original input;
// positions are 1-based, as bleve expects. It is safe for concurrent use.
type Tokenizer struct {
	kagome   *tokenizer.Tokenizer
	pos      *dict.POSTable
	particle dict.POSID // id of 助詞 in pos.NameList
}

var shared struct {
	once sync.Once
	tok  *Tokenizer
	err  error
}

// New returns the process-wide tokenizer. The first call loads the IPA dictionary (about
// 2 s and 30 MB of heap); later calls are free.
func New() (*Tokenizer, error) {
	shared.once.Do(func() {
		d := ipa.DictShrink()
		k, err := tokenizer.New(d, tokenizer.OmitBosEos())
		if err != nil {
			shared.err = fmt.Errorf("kagome: %w", err)
			return
		}
		particle := slices.Index(d.POSTable.NameList, "助詞")
		if particle < 0 {
			shared.err = fmt.Errorf("kagome: IPA dictionary has no 助詞 part of speech")
			return
		}
		shared.tok = &Tokenizer{kagome: k, pos: &d.POSTable, particle: dict.POSID(particle)}
	})
	return shared.tok, shared.err
}

// Tokenize implements analysis.Tokenizer.
func (t *Tokenizer) Tokenize(input []byte) analysis.TokenStream {
	if len(input) > MaxInput {
		input = input[:MaxInput]
	}
	f := fold(input)
	var out analysis.TokenStream
	pos := 0
	for base, chunk := range chunks(f.text) {
		for _, k := range t.kagome.Analyze(string(chunk), tokenizer.Search) {
			if k.Class == tokenizer.DUMMY || k.Surface == "" {
				continue
			}
			typ, ok := classify(k.Surface)
			if !ok {
				continue // punctuation and spaces hold no position, as in bleve's unicode tokenizer
			}
			pos++
			if t.isParticle(k) {
				continue // a gap, not a term
			}
			s := base + k.Position
			e := s + len(k.Surface)
			out = append(out, &analysis.Token{
				Term:     []byte(k.Surface),
				Start:    f.start(s),
				End:      f.end(e),
				Position: pos,
				Type:     typ,
			})
		}
	}
	return out
}

// isParticle reads the part of speech straight from the dictionary; Token.POS builds a
// slice of strings per call.
func (t *Tokenizer) isParticle(k tokenizer.Token) bool {
	if k.Class != tokenizer.KNOWN || k.ID < 0 || k.ID >= len(t.pos.POSs) {
		return false
	}
	p := t.pos.POSs[k.ID]
	return len(p) > 0 && p[0] == t.particle
}

// classify reports the token type, and false for a token with no letter or digit.
func classify(s string) (analysis.TokenType, bool) {
	letters, digits, ideo := false, false, false
	for _, r := range s {
		switch {
		case unicode.IsDigit(r) || unicode.IsNumber(r):
			digits = true
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			ideo = true
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters = true
		}
	}
	switch {
	case ideo:
		return analysis.Ideographic, true
	case letters:
		return analysis.AlphaNumeric, true
	case digits:
		return analysis.Numeric, true
	}
	return 0, false
}

// chunks yields pieces of text no longer than chunkSize with their byte offsets, cutting
// after sentence ends (。！？!? and newlines) where it can.
func chunks(text []byte) func(yield func(int, []byte) bool) {
	return func(yield func(int, []byte) bool) {
		start := 0
		for start < len(text) {
			end := cut(text[start:]) + start
			if !yield(start, text[start:end]) {
				return
			}
			start = end
		}
	}
}

// cut returns the length of the next chunk of b.
func cut(b []byte) int {
	lastSpace := -1
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		switch r {
		case '。', '！', '？', '!', '?', '\n', '．':
			return i
		case ' ', '\t', '\u3000', '、', ',':
			lastSpace = i
		}
		if i >= chunkSize {
			if lastSpace > 0 {
				return lastSpace
			}
			return i
		}
	}
	return len(b)
}

func tokenizerConstructor(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
	return New()
}

func init() {
	if err := registry.RegisterTokenizer(TokenizerName, tokenizerConstructor); err != nil {
		panic(err)
	}
}

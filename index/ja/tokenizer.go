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
	kagome *tokenizer.Tokenizer
	// particle has bit id set when the dictionary entry id is a particle (助詞): one bit
	// test per token instead of a walk through the dictionary's part-of-speech table.
	particle []uint64
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
		p := slices.Index(d.POSTable.NameList, "助詞")
		if p < 0 {
			shared.err = fmt.Errorf("kagome: IPA dictionary has no 助詞 part of speech")
			return
		}
		particle := make([]uint64, (len(d.POSTable.POSs)+63)/64)
		for id, pos := range d.POSTable.POSs {
			if len(pos) > 0 && pos[0] == dict.POSID(p) {
				particle[id/64] |= 1 << (id % 64)
			}
		}
		shared.tok = &Tokenizer{kagome: k, particle: particle}
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
		ks := t.kagome.Analyze(string(chunk), tokenizer.Search)
		// One allocation for the chunk's tokens rather than one per token.
		slab := make([]analysis.Token, 0, len(ks))
		for _, k := range ks {
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
			slab = append(slab, analysis.Token{
				// The term shares the text's bytes, as in bleve's own tokenizers: bleve
				// hands analyzers a copy of stored values, and filters that rewrite a
				// term in place (lowercase) stay inside it, the capacity ending there.
				Term:     f.text[s:e:e],
				Start:    f.start(s),
				End:      f.end(e),
				Position: pos,
				Type:     typ,
			})
			out = append(out, &slab[len(slab)-1])
		}
	}
	return out
}

// isParticle reads the part of speech straight from the dictionary; Token.POS builds a
// slice of strings per call.
func (t *Tokenizer) isParticle(k tokenizer.Token) bool {
	if k.Class != tokenizer.KNOWN || k.ID < 0 || k.ID/64 >= len(t.particle) {
		return false
	}
	return t.particle[k.ID/64]&(1<<(k.ID%64)) != 0
}

// classify reports the token type, and false for a token with no letter or digit.
func classify(s string) (analysis.TokenType, bool) {
	letters, digits := false, false
	for _, r := range s {
		switch {
		case kana(r):
			return analysis.Ideographic, true // one ideographic rune decides
		case r < utf8.RuneSelf:
			switch {
			case '0' <= r && r <= '9':
				digits = true
			case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
				letters = true
			}
		case unicode.IsDigit(r) || unicode.IsNumber(r):
			digits = true
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
			return analysis.Ideographic, true
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters = true
		}
	}
	switch {
	case letters:
		return analysis.AlphaNumeric, true
	case digits:
		return analysis.Numeric, true
	}
	return 0, false
}

// kana reports, without a table search, whether r is in the blocks that make up most
// Japanese text and belong wholly to the Han, Hiragana or Katakana scripts, and no number.
func kana(r rune) bool {
	return 0x4E00 <= r && r <= 0x9FFF || // CJK unified ideographs
		0x3041 <= r && r <= 0x3096 || // hiragana
		0x30A1 <= r && r <= 0x30FA // katakana; ー (U+30FC) is in no script of its own
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

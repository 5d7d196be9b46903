package ja

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

func tokenize(t testing.TB, s string) analysis.TokenStream {
	t.Helper()
	tok, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return tok.Tokenize([]byte(s))
}

func terms(ts analysis.TokenStream) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

func TestTokenizeKeepsWordsWhole(t *testing.T) {
	in := "東京都知事は京都を訪れた。"
	ts := tokenize(t, in)
	got := strings.Join(terms(ts), "|")
	if got != "東京|都|知事|京都|訪れ|た" {
		t.Fatalf("terms = %s", got)
	}
	for _, tk := range ts {
		if in[tk.Start:tk.End] != string(tk.Term) {
			t.Errorf("offsets [%d:%d] = %q, term %q", tk.Start, tk.End, in[tk.Start:tk.End], tk.Term)
		}
	}
	// は and を are dropped but keep their slots: 東京 1, 都 2, 知事 3, (は 4), 京都 5, (を 6), 訪れ 7.
	wantPos := []int{1, 2, 3, 5, 7, 8}
	for i, tk := range ts {
		if tk.Position != wantPos[i] {
			t.Errorf("%s at position %d, want %d", tk.Term, tk.Position, wantPos[i])
		}
	}
}

func TestTokenizeFoldsWidthBeforeSegmenting(t *testing.T) {
	in := "Ｔｅｌｅｇｒａｍで１２日、ｶﾞｽ価格"
	ts := tokenize(t, in)
	got := terms(ts)
	want := map[string]string{"Telegram": "Ｔｅｌｅｇｒａｍ", "12": "１２", "ガス": "ｶﾞｽ"}
	seen := 0
	for _, tk := range ts {
		orig, ok := want[string(tk.Term)]
		if !ok {
			continue
		}
		seen++
		if in[tk.Start:tk.End] != orig {
			t.Errorf("%s maps to %q, want %q", tk.Term, in[tk.Start:tk.End], orig)
		}
	}
	if seen != len(want) {
		t.Fatalf("terms = %q, want all of %v", got, want)
	}
}

func TestTokenizeDropsPunctuation(t *testing.T) {
	for _, tk := range tokenize(t, "「速報」　ロシア外務省：声明（全文）…") {
		if _, ok := classify(string(tk.Term)); !ok {
			t.Errorf("punctuation token %q", tk.Term)
		}
	}
}

func TestTokenizeLongRunIsChunkedAndSane(t *testing.T) {
	in := strings.Repeat("日本政府対露制裁強化", 1000) // no sentence end for 30 KB
	checkStream(t, []byte(in), tokenize(t, in))
	if n := len(tokenize(t, in)); n < 3000 {
		t.Fatalf("only %d tokens from 10,000 characters", n)
	}
}

func TestAnalyzerLowercases(t *testing.T) {
	a, err := analyzerConstructor(nil, newCache())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(terms(a.Analyze([]byte("ＮＡＴＯとTelegram"))), "|")
	if got != "nato|telegram" {
		t.Fatalf("terms = %s", got)
	}
}

// checkStream asserts what bleve relies on: offsets inside the input and on rune
// boundaries, positions strictly increasing.
func checkStream(t testing.TB, in []byte, ts analysis.TokenStream) {
	t.Helper()
	last := 0
	for _, tk := range ts {
		if tk.Start < 0 || tk.End > len(in) || tk.Start > tk.End {
			t.Fatalf("token %q offsets [%d:%d] outside %d bytes", tk.Term, tk.Start, tk.End, len(in))
		}
		if tk.Start < len(in) && !utf8.RuneStart(in[tk.Start]) || tk.End < len(in) && !utf8.RuneStart(in[tk.End]) {
			t.Fatalf("token %q offsets [%d:%d] split a rune", tk.Term, tk.Start, tk.End)
		}
		if tk.Position <= last {
			t.Fatalf("token %q position %d after %d", tk.Term, tk.Position, last)
		}
		last = tk.Position
		if len(tk.Term) == 0 {
			t.Fatalf("empty term at %d", tk.Start)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"東京都知事", "Ｔｅｌｅｇｒａｍ１２", "ｶﾞｶﾞ", "\xff\xfe東", "㈱ロシア", "e\u0301", ""} {
		f.Add([]byte(s))
	}
	tok, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !utf8.Valid(in) {
			// Invalid bytes must not crash; offsets are only promised for valid text,
			// which is what the index feeds us.
			tok.Tokenize(in)
			return
		}
		checkStream(t, in, tok.Tokenize(in))
	})
}

// classifyByTables is classify as the Unicode tables alone decide it, without the fast
// paths.
func classifyByTables(s string) (analysis.TokenType, bool) {
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

func TestClassifyFastPathsAgreeWithTables(t *testing.T) {
	check := func(s string) {
		gt, gok := classify(s)
		wt, wok := classifyByTables(s)
		if gt != wt || gok != wok {
			t.Fatalf("classify(%q) = %v %v, tables say %v %v", s, gt, gok, wt, wok)
		}
	}
	for r := rune(0); r < 0x10000; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		check(string(r))
		check("1" + string(r))
		check(string(r) + "a")
		check("〇" + string(r))
	}
}

func TestTermsAreNotSharedAcrossTokens(t *testing.T) {
	// Filters such as lowercase rewrite terms in place; one token's term must not reach
	// into the next one's bytes.
	ts := tokenize(t, "ＮＡＴＯとＥＵは東京で会談した")
	for _, tk := range ts {
		if cap(tk.Term) != len(tk.Term) {
			t.Errorf("term %q has capacity %d beyond its %d bytes", tk.Term, cap(tk.Term), len(tk.Term))
		}
	}
	a, err := analyzerConstructor(nil, newCache())
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("NATOとEUは東京で会談した")
	got := strings.Join(terms(a.Analyze(in)), "|")
	if !strings.HasPrefix(got, "nato|eu|東京") {
		t.Fatalf("terms = %s", got)
	}
}

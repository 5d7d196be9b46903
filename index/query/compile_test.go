package query

import (
	"encoding/json"
	"strings"
	"testing"

	bq "github.com/blevesearch/bleve/v2/search/query"
)

// testSchema analyses by splitting on spaces and lower-casing; "en" drops "the".
var testSchema = Schema{
	Suffixes: []string{"ja", "en", "xx"},
	SuffixOf: func(l string) string {
		if l == "ja" || l == "en" {
			return l
		}
		return "xx"
	},
	LangField: "tlang",
	Keywords:  map[string]string{"site": "site", "lang": "lang", "origin": "origin_kind", "channel": "channel"},
	Analyze: func(suffix, text string) [][]string {
		var out [][]string
		for _, w := range strings.Fields(strings.ToLower(text)) {
			if suffix == "en" && w == "the" {
				out = append(out, nil)
				continue
			}
			out = append(out, []string{w})
		}
		for len(out) > 0 && out[0] == nil {
			out = out[1:]
		}
		return out
	},
}

func compileJSON(t *testing.T, q string, langs ...string) string {
	t.Helper()
	n, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	bql, err := Compile(n, testSchema, langs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(bql)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCompileBranchesPerLanguage(t *testing.T) {
	js := compileJSON(t, "sanctions")
	for _, f := range []string{"title_ja", "body_ja", "title_en", "body_en", "title_xx", "body_xx"} {
		if !strings.Contains(js, f) {
			t.Errorf("query lacks %s: %s", f, js)
		}
	}
	// Only English documents have English fields: a branch every match of which needs
	// a term there is not filtered by language as well.
	for _, q := range []string{"sanctions", "sanctions AND site:japan", "sanctions OR gas", "sanctions -gas"} {
		if js := compileJSON(t, q); strings.Contains(js, `"field":"tlang"`) {
			t.Errorf("%q: anchored branches filtered by language: %s", q, js)
		}
	}
	// A branch that can match without a term of its language must be confined to it,
	// or NOT gas would return every document of the other languages once per branch.
	for _, q := range []string{"NOT gas", "site:japan OR gas", "-gas site:japan"} {
		if js := compileJSON(t, q); !strings.Contains(js, `"term":"en","field":"tlang"`) {
			t.Errorf("%q: unanchored branch not confined to its language: %s", q, js)
		}
	}
}

func TestCompileLangRestricts(t *testing.T) {
	for _, c := range []struct {
		q     string
		langs []string
	}{{"gas", []string{"ja"}}, {"lang:ja gas", nil}, {"(lang:ja OR lang:JA) gas", nil}} {
		js := compileJSON(t, c.q, c.langs...)
		if !strings.Contains(js, "body_ja") || strings.Contains(js, "body_en") || strings.Contains(js, "body_xx") {
			t.Errorf("%q %v not confined to ja: %s", c.q, c.langs, js)
		}
	}
	// es and de share the fallback fields.
	js := compileJSON(t, "gas", "es", "de")
	if strings.Count(js, `"field":"body_xx"`) != 1 || strings.Contains(js, "body_ja") {
		t.Errorf("es+de should search body_xx once: %s", js)
	}
}

func TestCompileDropsStopWordsPerLanguage(t *testing.T) {
	// In en "the" is a stop word: the en branch must still ask for "sanctions" instead
	// of matching nothing, and in the other languages "the" stays a term.
	js := compileJSON(t, "the sanctions", "en")
	if strings.Contains(js, `"the"`) || !strings.Contains(js, `"sanctions"`) {
		t.Errorf("en branch: %s", js)
	}
	js = compileJSON(t, "the sanctions", "ja")
	if !strings.Contains(js, `"the"`) {
		t.Errorf("ja branch lost a term: %s", js)
	}
	// A query of nothing but stop words matches nothing, not everything.
	n, _ := Parse("the OR the")
	q, err := Compile(n, testSchema, []string{"en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := q.(*bq.MatchNoneQuery); !ok {
		t.Errorf("stop words only: %T, want MatchNoneQuery", q)
	}
	// A phrase keeps a gap where the stop word was.
	js = compileJSON(t, `"sanctions the west"`, "en")
	if !strings.Contains(js, `[["sanctions"],null,["west"]]`) {
		t.Errorf("phrase gap: %s", js)
	}
}

func TestCompileKeywordsOnly(t *testing.T) {
	js := compileJSON(t, "site:Japan origin:telegram_post channel:@RusEmbJP")
	for _, f := range []string{`"term":"japan","field":"site"`, `"field":"origin_kind"`, `"term":"rusembjp","field":"channel"`} {
		if !strings.Contains(js, f) {
			t.Errorf("missing %s: %s", f, js)
		}
	}
	if strings.Contains(js, "tlang") {
		t.Errorf("keyword-only query should not branch by language: %s", js)
	}
	n, _ := Parse("story:abc")
	if _, err := Compile(n, testSchema, nil); err == nil {
		t.Error("a field the schema lacks should be an error")
	}
}

package query

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sanctions", "sanctions"},
		{"санкции Япония", "санкции AND Япония"},
		{`"foreign ministry" gas`, `"foreign ministry" AND gas`},
		{"a OR b c", "a OR (b AND c)"},   // AND binds tighter than OR
		{"a b OR c", "(a AND b) OR c"},   // on either side
		{"NOT a b", "NOT a AND b"},       // NOT binds tighter than AND
		{"-a OR b", "NOT a OR b"},        // and than OR
		{"(a OR b) c", "(a OR b) AND c"}, // parentheses override
		{"a AND (b OR (c AND d))", "a AND (b OR (c AND d))"},
		{"+nato -ukraine", "nato AND NOT ukraine"},
		{"NOT NOT a", "a"},
		{"a AND b AND c", "a AND b AND c"}, // flat, not nested
		{"(a b) c", "a AND b AND c"},
		{"a and b or c", "a AND and AND b AND or AND c"}, // lower case is text
		{"site:japan lang:ja sanctions", "site:japan AND lang:ja AND sanctions"},
		{"Site:Japan", "site:Japan"},
		{"origin_kind:telegram_post", "origin:telegram_post"},
		{`channel:"rus emb"`, `channel:"rus emb"`},
		{`title:"state visit" body:gas`, `title:"state visit" AND body:gas`},
		{"10:30 https://t.me/rusembjp", `"10:30" AND "https://t.me/rusembjp"`},
		{"anti-NATO 東京都", "anti-NATO AND 東京都"},
		{"a - b", `a AND "-" AND b`}, // a lone dash is a word (which analyses to nothing)
		{`"unclosed ( paren" x`, `"unclosed ( paren" AND x`},
		{"a&&b", "a&&b"},
		{"a && b || c", "(a AND b) OR c"},
		{"   ", ""},
		{"", ""},
	}
	for _, c := range cases {
		n, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		got := ""
		if n != nil {
			got = n.String()
		}
		if got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in   string
		pos  int
		frag string
	}{
		{`"unclosed`, 0, "unclosed quote"},
		{`a "b c`, 2, "unclosed quote"},
		{"(a b", 0, "unclosed ("},
		{"a (b (c)", 2, "unclosed ("},
		{"a b)", 3, "unmatched )"},
		{")", 0, "unmatched )"},
		{"()", 0, "empty parentheses"},
		{"a AND", 2, "AND needs a term on its right"},
		{"a OR", 2, "OR needs a term on its right"},
		{"OR a", 0, "OR needs a term on its left"},
		{"a (OR b)", 3, "OR needs a term on its left"},
		{"a NOT", 2, "NOT needs a term after it"},
		{"site:", 0, "site: needs a value"},
		{"x site:(a OR b)", 2, "not supported"},
		{"sit:japan", 0, `unknown field "sit"`},
		{`site:"japan`, 5, "unclosed quote"},
		{"東京 (", 3, "unclosed ("}, // positions count characters, not bytes
		{strings.Repeat("(", 40) + "a" + strings.Repeat(")", 40), MaxDepth, "nested"},
		{strings.Repeat("a ", MaxClauses+1), 2 * MaxClauses, "more than"},
		{strings.Repeat("a", MaxLen+1), MaxLen, "longer than"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("Parse(%.30q) error = %v, want *Error", c.in, err)
			continue
		}
		if qe.Pos != c.pos || !strings.Contains(qe.Msg, c.frag) {
			t.Errorf("Parse(%.30q) = %d %q, want %d ~%q", c.in, qe.Pos, qe.Msg, c.pos, c.frag)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`a "b c" (d OR -e) site:japan`, `((a)`, `NOT -+x`, `title:"x" body:y`,
		`東京都 AND 京都`, `"`, `)(`, `a:b:c`, `OR`, `- -`, `channel:@x`, "a\u3000b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := Parse(in)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("error %v is not *Error", err)
			}
			if qe.Pos < 0 || qe.Pos > len([]rune(in)) {
				t.Fatalf("error position %d outside a query of %d characters", qe.Pos, len([]rune(in)))
			}
			return
		}
		if n == nil {
			return
		}
		// What String prints must parse back to the same tree.
		s := n.String()
		n2, err := Parse(s)
		if err != nil {
			if len(s) > MaxLen {
				return // the rendering added quotes and parentheses past the limit
			}
			var qe *Error
			if errors.As(err, &qe) && strings.Contains(qe.Msg, "nested") {
				return // rendering parenthesises groups NOT did not
			}
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", in, s, err)
		}
		if n2 == nil || n2.String() != s {
			t.Fatalf("round trip: %q -> %q -> %v", in, s, n2)
		}
	})
}

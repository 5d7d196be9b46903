package query

import (
	"strings"
	"unicode"
)

type kind int

const (
	tEOF kind = iota
	tText
	tField
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tMinus
	tPlus
)

func (k kind) String() string {
	switch k {
	case tEOF:
		return "end of query"
	case tText, tField:
		return "term"
	case tLParen:
		return "("
	case tRParen:
		return ")"
	case tAnd:
		return "AND"
	case tOr:
		return "OR"
	case tNot:
		return "NOT"
	case tMinus:
		return "-"
	case tPlus:
		return "+"
	}
	return "?"
}

type token struct {
	kind   kind
	field  string // tField: the canonical field name
	value  string
	phrase bool
	pos    int // rune offset
}

// fields maps the field prefixes the language knows, as typed, to their canonical names.
var fields = map[string]string{
	"site":        "site",
	"lang":        "lang",
	"language":    "lang",
	"origin":      "origin",
	"origin_kind": "origin",
	"outlet":      "outlet",
	"channel":     "channel",
	"category":    "category",
	"story":       "story",
	"day":         "day",
	"title":       "title",
	"body":        "body",
}

func lex(q string) ([]token, error) {
	rs := []rune(q)
	var out []token
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			out = append(out, token{kind: tLParen, pos: i})
			i++
		case r == ')':
			out = append(out, token{kind: tRParen, pos: i})
			i++
		case r == '"':
			v, next, err := phrase(rs, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tText, value: v, phrase: true, pos: i})
			i = next
		case (r == '-' || r == '+') && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) && rs[i+1] != ')':
			k := tMinus
			if r == '+' {
				k = tPlus
			}
			out = append(out, token{kind: k, pos: i})
			i++
		default:
			start := i
			for i < len(rs) && !unicode.IsSpace(rs[i]) && rs[i] != '(' && rs[i] != ')' && rs[i] != '"' {
				i++
			}
			t, next, err := word(rs, start, i)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			i = next
		}
	}
	return out, nil
}

// phrase reads a quoted phrase starting at the quote at rs[i].
func phrase(rs []rune, i int) (string, int, error) {
	for j := i + 1; j < len(rs); j++ {
		if rs[j] == '"' {
			return strings.TrimSpace(string(rs[i+1 : j])), j + 1, nil
		}
	}
	return "", 0, errorf(i, "unclosed quote")
}

// word classifies rs[start:end] as an operator, a field or text. A field written with a
// quoted value (site:"x y") consumes the phrase after it, hence the returned next offset.
func word(rs []rune, start, end int) (token, int, error) {
	w := string(rs[start:end])
	switch w {
	case "AND", "&&":
		return token{kind: tAnd, pos: start}, end, nil
	case "OR", "||":
		return token{kind: tOr, pos: start}, end, nil
	case "NOT":
		return token{kind: tNot, pos: start}, end, nil
	}
	colon := strings.IndexByte(w, ':')
	if colon <= 0 || !isName(w[:colon]) {
		return token{kind: tText, value: w, pos: start}, end, nil
	}
	name, value := strings.ToLower(w[:colon]), w[colon+1:]
	field, known := fields[name]
	if !known {
		if strings.HasPrefix(value, "//") {
			return token{kind: tText, value: w, pos: start}, end, nil // a URL
		}
		return token{}, 0, errorf(start, "unknown field %q (fields: site, lang, origin, outlet, channel, category, story, day, title, body; quote the word to search it as text)", name)
	}
	t := token{kind: tField, field: field, value: value, pos: start}
	if value == "" && end < len(rs) && rs[end] == '"' {
		v, next, err := phrase(rs, end)
		if err != nil {
			return token{}, 0, err
		}
		t.value, t.phrase = v, true
		return t, next, nil
	}
	if value == "" {
		msg := "%s: needs a value"
		if end < len(rs) && rs[end] == '(' {
			msg = "%s: needs a value; groups like site:(a OR b) are not supported, write (site:a OR site:b)"
		}
		return token{}, 0, errorf(start, msg, name)
	}
	return t, end, nil
}

func isName(s string) bool {
	if len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

package query

import (
	"strings"
	"unicode"
)

// Node is a parsed query expression: *Text, *Keyword, *And, *Or or *Not.
type Node interface {
	// String renders the node back in the query language; parsing it gives the same tree.
	String() string
	node()
}

// Text is a free-text term or quoted phrase, searched in titles and bodies of every
// language, or only titles or only bodies when Part is "title" or "body".
type Text struct {
	Value  string
	Phrase bool
	Part   string
	Pos    int
}

// Keyword is an exact match on a keyword field, as typed (site:japan).
type Keyword struct {
	Field string // the prefix as typed, lower-cased: site, lang, origin, ...
	Value string
	Pos   int
}

// And matches documents matching every node.
type And struct{ Nodes []Node }

// Or matches documents matching any node.
type Or struct{ Nodes []Node }

// Not matches documents not matching Node.
type Not struct {
	Node Node
	Pos  int
}

func (*Text) node()    {}
func (*Keyword) node() {}
func (*And) node()     {}
func (*Or) node()      {}
func (*Not) node()     {}

func (t *Text) String() string {
	v := t.Value
	if t.Phrase || needsQuote(v) {
		v = quote(v)
	}
	if t.Part != "" {
		return t.Part + ":" + v
	}
	return v
}

func (k *Keyword) String() string {
	v := k.Value
	if needsQuote(v) {
		v = quote(v)
	}
	return k.Field + ":" + v
}

func (a *And) String() string { return join(a.Nodes, " AND ") }
func (o *Or) String() string  { return join(o.Nodes, " OR ") }
func (n *Not) String() string { return "NOT " + group(n.Node) }

func join(nodes []Node, op string) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = group(n)
	}
	return strings.Join(parts, op)
}

func group(n Node) string {
	switch n.(type) {
	case *And, *Or:
		return "(" + n.String() + ")"
	}
	return n.String()
}

// needsQuote reports whether a bare word would not read back as itself.
func needsQuote(v string) bool {
	if v == "" || v == "AND" || v == "OR" || v == "NOT" || strings.ContainsAny(v, `"():`) || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return true
	}
	return v[0] == '-' || v[0] == '+'
}

// quote renders a phrase. The language has no escapes: a double quote inside a value
// cannot be written, and the parser never produces one.
func quote(v string) string {
	return `"` + v + `"`
}

package query

// Limits on hostile or runaway input.
const (
	MaxLen     = 4096 // bytes
	MaxDepth   = 32   // nested parentheses and NOTs
	MaxClauses = 128  // terms, phrases and field matches
)

// Parse parses a query. An empty or blank query parses to nil, which matches everything.
// Errors are *Error.
func Parse(q string) (Node, error) {
	if len(q) > MaxLen {
		return nil, errorf(len([]rune(q[:MaxLen])), "query is longer than %d bytes", MaxLen)
	}
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	p := &parser{toks: toks, end: len([]rune(q))}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, errorf(t.pos, "unmatched )")
		}
		return nil, errorf(t.pos, "unexpected %s", t.kind)
	}
	return n, nil
}

type parser struct {
	toks    []token
	i       int
	end     int // rune length of the query, the position of tEOF
	clauses int
}

func (p *parser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tEOF, pos: p.end}
}

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

// startsOperand reports whether t can begin an operand, which makes juxtaposition an AND.
func startsOperand(t token) bool {
	switch t.kind {
	case tText, tField, tLParen, tNot, tMinus, tPlus:
		return true
	}
	return false
}

func (p *parser) or(depth int) (Node, error) {
	if t := p.peek(); t.kind == tOr || t.kind == tAnd {
		return nil, errorf(t.pos, "%s needs a term on its left", t.kind)
	}
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	nodes := []Node{first}
	for p.peek().kind == tOr {
		op := p.next()
		if !startsOperand(p.peek()) {
			return nil, errorf(op.pos, "OR needs a term on its right")
		}
		n, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &Or{Nodes: flattenOr(nodes)}, nil
}

func (p *parser) and(depth int) (Node, error) {
	first, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	nodes := []Node{first}
	for {
		t := p.peek()
		if t.kind == tAnd {
			p.next()
			if !startsOperand(p.peek()) {
				return nil, errorf(t.pos, "AND needs a term on its right")
			}
		} else if !startsOperand(t) {
			break
		}
		n, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &And{Nodes: flattenAnd(nodes)}, nil
}

func (p *parser) unary(depth int) (Node, error) {
	if depth >= MaxDepth {
		return nil, errorf(p.peek().pos, "query is nested more than %d deep", MaxDepth)
	}
	t := p.peek()
	switch t.kind {
	case tNot, tMinus:
		p.next()
		if !startsOperand(p.peek()) {
			return nil, errorf(t.pos, "%s needs a term after it", t.kind)
		}
		n, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		if inner, ok := n.(*Not); ok {
			return inner.Node, nil // NOT NOT x is x
		}
		return &Not{Node: n, Pos: t.pos}, nil
	case tPlus:
		p.next()
		return p.unary(depth + 1)
	}
	return p.primary(depth)
}

func (p *parser) primary(depth int) (Node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		if p.peek().kind == tRParen {
			return nil, errorf(t.pos, "empty parentheses")
		}
		if p.peek().kind == tEOF {
			return nil, errorf(t.pos, "unclosed (")
		}
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			return nil, errorf(t.pos, "unclosed (")
		}
		p.next()
		return n, nil
	case tText:
		return p.leaf(t, &Text{Value: t.value, Phrase: t.phrase, Pos: t.pos})
	case tField:
		if t.field == "title" || t.field == "body" {
			return p.leaf(t, &Text{Value: t.value, Phrase: t.phrase, Part: t.field, Pos: t.pos})
		}
		return p.leaf(t, &Keyword{Field: t.field, Value: t.value, Pos: t.pos})
	case tRParen:
		return nil, errorf(t.pos, "unmatched )")
	case tEOF:
		return nil, errorf(t.pos, "query ends where a term was expected")
	}
	return nil, errorf(t.pos, "%s needs a term on its left", t.kind)
}

func (p *parser) leaf(t token, n Node) (Node, error) {
	p.clauses++
	if p.clauses > MaxClauses {
		return nil, errorf(t.pos, "query has more than %d terms", MaxClauses)
	}
	return n, nil
}

// flattenAnd splices nested ANDs into their parent: a AND (b AND c) is a AND b AND c,
// which keeps the tree, and the bleve query, shallow. flattenOr does the same for OR.
func flattenAnd(nodes []Node) []Node {
	out := make([]Node, 0, len(nodes))
	for _, n := range nodes {
		if c, ok := n.(*And); ok {
			out = append(out, c.Nodes...)
		} else {
			out = append(out, n)
		}
	}
	return out
}

func flattenOr(nodes []Node) []Node {
	out := make([]Node, 0, len(nodes))
	for _, n := range nodes {
		if c, ok := n.(*Or); ok {
			out = append(out, c.Nodes...)
		} else {
			out = append(out, n)
		}
	}
	return out
}

package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// These helpers read elements the way the CSS selectors they replace did (cascadia, through
// goquery), so that switching from selectors to direct walks changes no record: a tag
// matches on its name whatever its namespace, an attribute test passes if any attribute of
// that name passes (duplicates included), and a value read is the first such attribute's.

// attr is the value of n's first attribute named key.
func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// attrOr is attr with a default for a missing attribute or a missing node.
func attrOr(n *html.Node, key, def string) string {
	if n == nil {
		return def
	}
	if v, ok := attr(n, key); ok {
		return v
	}
	return def
}

func hasAttr(n *html.Node, key string) bool {
	_, ok := attr(n, key)
	return ok
}

// hasToken is [key~=tok]: some attribute named key lists tok among its space-separated
// words.
func hasToken(n *html.Node, key, tok string) bool {
	for _, a := range n.Attr {
		if a.Key == key && includes(a.Val, tok) {
			return true
		}
	}
	return false
}

// includes splits on the selector engine's whitespace set, not unicode.IsSpace: a class
// list separated by \v or U+00A0 is one word to the selectors, and so it stays.
func includes(list, tok string) bool {
	for list != "" {
		i := indexSpace(list)
		if i < 0 {
			return list == tok
		}
		if list[:i] == tok {
			return true
		}
		list = list[i+1:]
	}
	return false
}

// textOf is the concatenated text of the nodes under n, scripts and all, as
// goquery's Text gives it; nil has none.
func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	if n.Type == html.TextNode {
		return n.Data
	}
	// One child text node, the common shape of a label or headline, needs no copy.
	if c := n.FirstChild; c != nil && c.NextSibling == nil && c.Type == html.TextNode {
		return c.Data
	}
	var b strings.Builder
	appendText(&b, n)
	return b.String()
}

func appendText(b *strings.Builder, n *html.Node) {
	if n.Type == html.TextNode {
		b.WriteString(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		appendText(b, c)
	}
}

// firstUnder is the first element below n, in document order, that match accepts.
func firstUnder(n *html.Node, match func(*html.Node) bool) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if match(c) {
			return c
		}
		if m := firstUnder(c, match); m != nil {
			return m
		}
	}
	return nil
}

// allUnder appends to out the elements below n, in document order, that match accepts.
func allUnder(n *html.Node, match func(*html.Node) bool, out []*html.Node) []*html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if match(c) {
			out = append(out, c)
		}
		out = allUnder(c, match, out)
	}
	return out
}

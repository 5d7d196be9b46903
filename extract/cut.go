package extract

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The template extractor reads the head, the article element and a few kinds of markup
// anywhere in the document (see docScan). A network page's sidebar of related news and its
// footer, after the article, are about 40% of its bytes and none of that markup, so Page
// parses only up to the last </article> when that provably builds the tree a whole parse
// would build for everything it reads. Proving it takes two things:
//
//   - The bytes after the cut (the tail) contain none of the markup docScan or its
//     fallbacks match, in any context: checked on the raw bytes, so markup hidden in a
//     comment or a script counts too.
//   - Nothing the tail holds can change a node built before the cut. An HTML parser changes
//     an existing node only by merging a later <html> or <body> tag's attributes into it,
//     by removing the body for a <frameset>, by giving children to the open elements
//     (directly, by foster parenting around an open table, or through the adoption agency
//     algorithm, which also re-clones formatting elements left open or unclosed) and, at
//     EOF, by closing what is open, which changes no node. So the cut is taken only where
//     the parser stands in body content with the article closed, no formatting element
//     open or waiting to be reopened, and only plain containers open, none of them one
//     docScan reads. The parser's state is not visible from outside: a probe tag parsed
//     right after the cut shows it, by where it lands.
//
// Anything else, including any doubt, parses the whole page. The probe parse is then
// wasted work: a hostile page can cost about twice one parse, never a different result.

// probeTag is the probe: a start tag whose name holds a byte that is not valid UTF-8, so no
// element of the (valid UTF-8) page can have its name. The tokenizer keeps the byte.
const (
	probeTag  = "<p\xff>"
	probeName = "p\xff"
)

// maxOpen is the parser's limit on open elements; a page over it fails to parse, and Page
// then flattens it (load), so the cut must not hide a tail that would go over.
const maxOpen = 512

// cutContainers are the elements that may stay open at the cut: plain containers that take
// no part in the parser's special cases (tables, formatting elements, templates, lists,
// select, foreign content) and none of which docScan reads.
var cutContainers = map[atom.Atom]bool{
	atom.Html: true, atom.Body: true, atom.Main: true, atom.Div: true, atom.Section: true,
}

// parseArticle parses data (valid UTF-8) up to the end of its last article element when the
// rest provably cannot change what the template extractor reads, else returns nil.
func parseArticle(data []byte) *html.Node {
	cut := articleEnd(data)
	if cut < 0 {
		return nil
	}
	tags, ok := inertTail(data[cut:])
	if !ok {
		return nil
	}
	doc, err := html.Parse(io.MultiReader(bytes.NewReader(data[:cut]), strings.NewReader(probeTag)))
	if err != nil {
		return nil
	}
	probe, open := findProbe(doc)
	// Every element the tail opens comes from one of its tags (a re-cloned formatting
	// element replaces the one it clones), so it cannot open more than it has '<'.
	if probe == nil || open+tags > maxOpen {
		return nil
	}
	probe.Parent.RemoveChild(probe)
	return doc
}

// articleEnd is the offset just after the last "</article>" in data, in any case, or -1.
// The article ends near the page's end, so the search starts there.
func articleEnd(data []byte) int {
	for i := len(data); ; {
		if i = bytes.LastIndexByte(data[:i], '<'); i < 0 {
			return -1
		}
		if hasPrefixFold(data[i:], "</article>") {
			return i + len("</article>")
		}
	}
}

// hasPrefixFold is bytes.HasPrefix for a lower-case ASCII prefix, ignoring ASCII case.
func hasPrefixFold(s []byte, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// safeRefs are the character references a tail may hold. A reference in an attribute value
// could spell a class name docScan reads ("&#97;rticle__text"); these decode to characters
// no such name holds. Others reject the tail.
var safeRefs = []string{"&#39;", "&#34;", "&amp;", "&quot;", "&lt;", "&gt;", "&nbsp;", "&laquo;", "&raquo;"}

// tailMarks are the bytes inertTail stops at.
var tailMarks = [256]bool{'<': true, '&': true, 'a': true, 'A': true, 's': true, 'S': true, 'i': true, 'I': true}

// inertTail reports whether tail holds none of the markup docScan reads, whatever the
// context each byte turns out to be in, and counts its '<'. It rejects any mention of
// "article" (the article element and the article__* classes), of the source-link class and
// of itemprop, any character reference but safeRefs, and the start tags of html and body
// (whose attributes the parser merges into the page's own), frameset (which removes the
// body) and of every element docScan reads by name alone. Prefix matches reject longer
// names too ("<header", "<timer"), which only costs a whole parse.
func inertTail(tail []byte) (tags int, ok bool) {
	for i := 0; i < len(tail); i++ {
		c := tail[i]
		if !tailMarks[c] {
			continue
		}
		rest := tail[i:]
		switch lower(c) {
		case '<':
			tags++
			if len(rest) > 1 && forbiddenTag(rest[1:]) {
				return 0, false
			}
		case '&':
			// A reference starts with '#' or an alphanumeric; a bare '&' is text.
			if len(rest) > 1 && (rest[1] == '#' || isAlnum(rest[1])) && !safeRef(rest) {
				return 0, false
			}
		case 'a':
			if hasPrefixFold(rest, "article") {
				return 0, false
			}
		case 's':
			if hasPrefixFold(rest, "source-link") {
				return 0, false
			}
		case 'i':
			if hasPrefixFold(rest, "itemprop") {
				return 0, false
			}
		}
	}
	return tags, true
}

// forbiddenTag reports whether name, the bytes after a '<', starts one of the tag names
// inertTail rejects.
func forbiddenTag(name []byte) bool {
	switch lower(name[0]) {
	case 'h':
		return hasPrefixFold(name, "html") || hasPrefixFold(name, "h1")
	case 'b':
		return hasPrefixFold(name, "body") || hasPrefixFold(name, "base")
	case 'f':
		return hasPrefixFold(name, "frameset")
	case 'l':
		return hasPrefixFold(name, "link")
	case 'm':
		return hasPrefixFold(name, "meta")
	case 't':
		return hasPrefixFold(name, "title") || hasPrefixFold(name, "time")
	}
	return false
}

func safeRef(s []byte) bool {
	for _, r := range safeRefs {
		if bytes.HasPrefix(s, []byte(r)) {
			return true
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// findProbe returns the probe element when it landed where a cut is safe, with the number
// of elements open around it; else nil. Safe is: the last node of the document, so the
// parser appended it to its current node, with no formatting element re-cloned around it
// and no table it was fostered before; right after an article element, so the cut closed
// one; and below cutContainers only, none with a class docScan reads. An open element
// always lies on the path to the last node unless a table was open, and that table would
// come after the probe. Landing in a comment, a script, an attribute value or foreign
// content leaves no such element.
func findProbe(doc *html.Node) (*html.Node, int) {
	n, open := doc, 0
	for n.LastChild != nil {
		n = n.LastChild
		if n.Type == html.ElementNode && n.Data == probeName {
			break
		}
		if n.Type != html.ElementNode || n.Namespace != "" || !cutContainers[n.DataAtom] ||
			n.Data != n.DataAtom.String() || classes(n) != 0 {
			return nil, 0
		}
		open++
	}
	if n.Type != html.ElementNode || n.Data != probeName || n.Namespace != "" || n.FirstChild != nil {
		return nil, 0
	}
	prev := n.PrevSibling
	if prev == nil || prev.Type != html.ElementNode || prev.DataAtom != atom.Article || prev.Namespace != "" {
		return nil, 0
	}
	return n, open
}

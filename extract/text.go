package extract

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// maxWalkDepth bounds the recursion of the text walk; the parser already refuses deeper
// documents, so this only guards against trees built some other way.
const maxWalkDepth = 600

// maxTextBytes caps the text kept from one body; network articles are a few kilobytes.
const maxTextBytes = 1 << 20

// paragraphs returns the readable paragraphs under n: block elements and blank lines (two
// <br>) separate paragraphs, a single <br> separates lines within one. Elements that are
// not article text (scripts, captions, share boxes, forms, hidden elements) and any extra
// element skip rejects are left out.
func paragraphs(n *html.Node, skip func(*html.Node) bool) []string {
	w := walker{skip: skip}
	// The root itself is never skipped: a body's class says nothing about its text.
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, 1)
	}
	w.flush()
	return w.paras
}

type walker struct {
	skip  func(*html.Node) bool
	buf   []byte // the current block's text, reused from block to block
	lines []string
	paras []string
	size  int
	pre   int
}

func (w *walker) walk(n *html.Node, depth int) {
	if depth > maxWalkDepth || w.size > maxTextBytes {
		return
	}
	switch n.Type {
	case html.TextNode:
		if w.pre > 0 {
			w.buf = append(w.buf, n.Data...)
		} else {
			w.buf = appendCollapsed(w.buf, n.Data)
		}
		return
	case html.ElementNode:
		if boilerplate(n) || (w.skip != nil && w.skip(n)) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Br:
		w.buf = append(w.buf, '\n')
		return
	case atom.Td, atom.Th:
		w.buf = append(w.buf, ' ')
	case atom.Pre:
		w.pre++
		defer func() { w.pre-- }()
	}
	block := blockElements[n.DataAtom]
	if block {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
	if block {
		w.flush()
	}
}

// flush ends the current block: its blank lines split it into paragraphs, its other line
// breaks stay inside them.
func (w *walker) flush() {
	if len(w.buf) == 0 {
		return
	}
	lines := w.lines[:0]
	for rest := w.buf; ; {
		line := rest
		i := bytes.IndexByte(rest, '\n')
		if i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		}
		// The buffer is reused, so a kept line is copied out; a blank one, the common
		// leftover between blocks, cleans to nothing and needs no copy.
		s := ""
		if !blank(line) {
			s = cleanLine(string(line))
		}
		if s == "" {
			w.add(lines)
			lines = lines[:0]
		} else {
			lines = append(lines, s)
		}
		if i < 0 {
			break
		}
	}
	w.add(lines)
	w.lines = lines[:0]
	w.buf = w.buf[:0]
}

// blank reports whether b is only ASCII whitespace, which cleanLine trims to nothing and
// collapseSpace folds into one space.
func blank[T string | []byte](b T) bool {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r':
		default:
			return false
		}
	}
	return true
}

// add makes a paragraph of lines; it keeps none of the slice, which flush reuses.
func (w *walker) add(lines []string) {
	if len(lines) == 0 {
		return
	}
	p := strings.Join(lines, "\n")
	w.size += len(p)
	w.paras = append(w.paras, p)
}

var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Dd: true, atom.Details: true, atom.Dialog: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Fieldset: true, atom.Figure: true, atom.Footer: true, atom.H1: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Hr: true, atom.Li: true, atom.Main: true,
	atom.Nav: true, atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true,
	atom.Summary: true, atom.Table: true, atom.Tr: true, atom.Ul: true, atom.Caption: true,
	atom.Body: true, atom.Html: true,
}

// nonText are elements whose content is never article text.
var nonText = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true,
	atom.Canvas: true, atom.Button: true, atom.Form: true, atom.Input: true,
	atom.Select: true, atom.Textarea: true, atom.Figcaption: true, atom.Video: true,
	atom.Audio: true, atom.Head: true, atom.Title: true, atom.Link: true, atom.Meta: true,
}

// boilerClass are class or id fragments of page furniture that sits inside article bodies
// on this network and the outlets it copies: share bars, captions, credits, promos.
var boilerClass = []string{
	"share", "social", "caption", "copyright", "subscribe", "promo", "advert", "banner",
	"related", "read-more", "readmore", "cookie", "comments", "newsletter",
}

// boilerplate reports whether an element is page furniture rather than text.
func boilerplate(n *html.Node) bool {
	if nonText[n.DataAtom] || (n.DataAtom == 0 && n.Data == "amp-ad") {
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			s := strings.ToLower(a.Val)
			if strings.Contains(strings.ReplaceAll(s, " ", ""), "display:none") {
				return true
			}
		case "class", "id":
			if len(a.Val) > 512 {
				continue
			}
			v := strings.ToLower(a.Val)
			for _, b := range boilerClass {
				if strings.Contains(v, b) {
					return true
				}
			}
			for rest := v; ; {
				var tok string
				if tok, rest = nextField(rest); tok == "" {
					break
				}
				if tok == "ad" || tok == "ads" || tok == "adv" {
					return true
				}
			}
		}
	}
	return false
}

// nextField cuts the first word off s as strings.Fields splits it, without building the
// slice: the text walk tests the classes of every element it meets.
func nextField(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// isCollapsible is whitespace that HTML rendering folds into one space. U+3000, the
// ideographic space Japanese text uses deliberately, is not folded.
func isCollapsible(r rune) bool {
	return r != '\u3000' && unicode.IsSpace(r)
}

// collapseSpace folds runs of collapsible whitespace into one ASCII space. A line break
// between two East Asian wide characters folds into nothing, as CSS renders it: Japanese
// source wrapped across lines is one unbroken sentence.
func collapseSpace(s string) string {
	if alreadyCollapsed(s) {
		return s
	}
	if blank(s) {
		return " " // the whitespace between elements
	}
	var small [256]byte
	return string(collapseInto(small[:0], s))
}

// appendCollapsed appends collapseSpace(s) to dst.
func appendCollapsed(dst []byte, s string) []byte {
	if alreadyCollapsed(s) {
		return append(dst, s...)
	}
	return collapseInto(dst, s)
}

func collapseInto(dst []byte, s string) []byte {
	space, newline := false, false
	prev := rune(0)
	for _, r := range s {
		if isCollapsible(r) {
			space = true
			newline = newline || r == '\n' || r == '\r'
			continue
		}
		if space && !(newline && wide(prev) && wide(r)) {
			dst = append(dst, ' ')
		}
		space, newline = false, false
		dst = utf8.AppendRune(dst, r)
		prev = r
	}
	if space {
		dst = append(dst, ' ')
	}
	return dst
}

// alreadyCollapsed reports whether collapseSpace would return s as it is: valid UTF-8
// whose only collapsible whitespace is single ASCII spaces. Most text nodes and attribute
// values are, and this check costs no allocation.
func alreadyCollapsed(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\t', '\n', '\v', '\f', '\r':
				return false
			case ' ':
				if i > 0 && s[i-1] == ' ' {
					return false
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || isCollapsible(r) {
			return false
		}
		i += size
	}
	return true
}

// wide reports East Asian scripts written without spaces between words.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}

// invisible are code points with no glyph that leak into copied text: zero-width spaces
// and joiners, the BOM, soft hyphens, and variation selectors (a stray U+FE0F is what is
// left of an emoji the network strips from Telegram posts).
func invisible(r rune) bool {
	switch {
	case r == '\u200B', r == '\u200C', r == '\u200D', r == '\u2060', r == '\uFEFF',
		r == '\u00AD', r == '\u180E':
		return true
	case r >= '\uFE00' && r <= '\uFE0F':
		return true
	case r >= 0xE0100 && r <= 0xE01EF:
		return true
	}
	return false
}

// cleanLine normalises one line of text: NFC, trimmed of whitespace and of invisible code
// points at either end, with zero-width spaces and BOMs dropped, and variation selectors
// dropped where they follow a space (where no emoji can own them).
func cleanLine(s string) string {
	s = norm.NFC.String(s)
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || invisible(r) })
	if s == "" {
		return ""
	}
	if alreadyClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := rune(0)
	for _, r := range s {
		switch {
		case r == '\u200B' || r == '\uFEFF' || r == '\u2060':
			continue
		case r >= '\uFE00' && r <= '\uFE0F' && (prev == ' ' || prev == '\u3000'):
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return strings.TrimSpace(b.String())
}

// alreadyClean reports whether cleanLine's rune filter would keep every rune of the
// trimmed s and so return it unchanged (the filter never drops an end rune, so the final
// trim has nothing left to do). Invalid UTF-8 takes the filter, which replaces it.
func alreadyClean(s string) bool {
	prev := rune(0)
	for _, r := range s {
		switch {
		case r == utf8.RuneError, r == '\u200B', r == '\uFEFF', r == '\u2060':
			return false
		case r >= '\uFE00' && r <= '\uFE0F' && (prev == ' ' || prev == '\u3000'):
			return false
		}
		prev = r
	}
	return true
}

// cleanText is cleanLine for a one-line value (titles, names, meta content).
func cleanText(s string) string { return cleanLine(collapseSpace(s)) }

// fold reduces text to its letters and digits, lower-cased and compatibility-normalised,
// so a headline and its copy in the body compare equal whatever their punctuation.
func fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// dropHeadline removes a first paragraph that only repeats the title (the Japanese site
// does this on most items).
func dropHeadline(paras []string, titles ...string) []string {
	if len(paras) == 0 {
		return paras
	}
	first := fold(paras[0])
	if first == "" {
		return paras
	}
	for i, t := range titles {
		// The titles are often the same string (h1 and og:title): fold it once.
		if t != "" && !slices.Contains(titles[:i], t) && fold(t) == first {
			return paras[1:]
		}
	}
	return paras
}

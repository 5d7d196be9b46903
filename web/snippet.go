package web

import (
	"html"
	"html/template"
	"strings"
	"unicode/utf8"
)

const maxSnippet = 4096

// safeSnippet re-escapes a highlighted snippet so that <mark> and </mark>
// are its only markup, whatever the index hands back. bleve's HTML
// highlighter escapes the text between marks already; this does not rely
// on it. Marks are kept balanced and unnested, and a snippet cut in the
// middle of a character or an entity stays well formed.
func safeSnippet(s string) template.HTML {
	if len(s) > maxSnippet {
		s = s[:maxSnippet]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	open := false
	for s != "" {
		i := strings.Index(s, "<mark>")
		j := strings.Index(s, "</mark>")
		next, tag, n := len(s), "", 0
		if i >= 0 {
			next, tag, n = i, "<mark>", len("<mark>")
		}
		if j >= 0 && j < next {
			next, tag, n = j, "</mark>", len("</mark>")
		}
		b.WriteString(html.EscapeString(html.UnescapeString(s[:next])))
		switch {
		case tag == "<mark>" && !open:
			b.WriteString(tag)
			open = true
		case tag == "</mark>" && open:
			b.WriteString(tag)
			open = false
		}
		s = s[next+n:]
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

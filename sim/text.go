package sim

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// body is the text of one article version (or post, or outlet page) in one language.
type body struct {
	title string
	paras []string
}

// plain is the body as the extractor should return it: paragraphs joined by blank lines.
func (b body) plain() string { return strings.Join(b.paras, "\n\n") }

// compose writes s in lang. A near-duplicate copy loses its last sentence and gets a
// prefixed headline.
func (s *story) compose(lang string, dup bool) body {
	t := s.tmpl
	sents, paras := s.sents, s.paras
	if dup && len(sents) >= 4 {
		sents = sents[:len(sents)-1]
		paras = append([]int(nil), paras...)
		if paras[len(paras)-1]--; paras[len(paras)-1] == 0 {
			paras = paras[:len(paras)-1]
		}
	}
	sep := " "
	if lang == "ja" {
		sep = ""
	}
	b := body{title: capFirst(s.fill.expand(t.Title[lang], lang))}
	i := 0
	for _, k := range paras {
		parts := make([]string, 0, k)
		for _, j := range sents[i : i+k] {
			parts = append(parts, capFirst(s.fill.expand(t.Body[j][lang], lang)))
		}
		b.paras = append(b.paras, strings.Join(parts, sep))
		i += k
	}
	if dup {
		b.title = pick(dupPrefix, lang) + b.title
	}
	return b
}

// articleBody is the text an edition shows; v2 is the edited version.
func (w *world) articleBody(a *article, v2 bool) body {
	lang := a.seq.text
	b := a.story.compose(lang, a.dupOf != nil)
	if v2 {
		b.paras = append(b.paras, pick(updateNote, lang))
		if w.editsTitle(a) {
			b.title += pick(titleUpdated, lang)
		}
	}
	return b
}

func (w *world) editsTitle(a *article) bool { return roll(w.seed, "edit-title", a.key()) < 0.5 }

// truncateRunes cuts s to at most n runes, at a word boundary when one is near.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	for i := n; i > n-30 && i > 0; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimSpace(string(r[:cut])) + "…"
}

// capFirst upper-cases a sentence's first letter: a slot that opens a sentence ("{city.in}
// прошла…") is written in lower case.
func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if u := unicode.ToUpper(r); u != r {
		return string(u) + s[n:]
	}
	return s
}

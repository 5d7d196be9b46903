package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A word diff between two versions of an article's text: lines first, then
// words within the lines that changed. Japanese and Chinese have no spaces,
// so each of their characters is a word of its own.

// span is a piece of a diff: Op is ' ' (in both), '-' (only in the old
// text) or '+' (only in the new).
type span struct {
	Op   byte
	Text string
}

// Del and Ins tell the template how to mark a span.
func (s span) Del() bool { return s.Op == '-' }
func (s span) Ins() bool { return s.Op == '+' }

// maxEdits bounds the edit distance the diff looks for (Myers' algorithm
// costs O((n+m)·d) time and O(d²) memory). A larger change at the word
// level is compared by lines, and beyond that shown as a whole replacement.
const maxEdits = 1000

// diffText compares two texts: word by word, or when they differ too much
// for that, line by line and then word by word within each changed passage.
func diffText(a, b string) []span {
	if a == b {
		if a == "" {
			return nil
		}
		return []span{{' ', a}}
	}
	wa, wb := splitWords(a), splitWords(b)
	if ops, ok := diffSeq(wa, wb); ok {
		return spans(ops)
	}
	lines, ok := diffSeq(splitLines(a), splitLines(b))
	if !ok {
		return spans(replace(wa, wb))
	}
	var out []edit
	// A run of deleted lines next to a run of inserted ones is a changed
	// passage.
	for i := 0; i < len(lines); {
		if lines[i].op == ' ' {
			out = append(out, lines[i])
			i++
			continue
		}
		var del, ins strings.Builder
		for ; i < len(lines) && lines[i].op != ' '; i++ {
			if lines[i].op == '-' {
				del.WriteString(lines[i].text)
			} else {
				ins.WriteString(lines[i].text)
			}
		}
		da, db := splitWords(del.String()), splitWords(ins.String())
		ops, ok := diffSeq(da, db)
		if !ok {
			ops = replace(da, db)
		}
		out = append(out, ops...)
	}
	return spans(out)
}

func spans(ops []edit) []span {
	out := make([]span, 0, len(ops))
	for _, o := range ops {
		out = append(out, span{o.op, o.text})
	}
	return merge(out)
}

type edit struct {
	op   byte
	text string
}

// diffSeq is a shortest edit script between two token lists, with the
// common prefix and suffix taken off first. ok is false when more than
// maxEdits edits would be needed.
func diffSeq(a, b []string) (ops []edit, ok bool) {
	p, ma, mb := trim(a, b)
	mid, ok := myers(ma, mb, maxEdits)
	if !ok {
		return nil, false
	}
	out := make([]edit, 0, p+len(mid)+len(a)-p-len(ma))
	for _, t := range a[:p] {
		out = append(out, edit{' ', t})
	}
	out = append(out, mid...)
	for _, t := range a[p+len(ma):] {
		out = append(out, edit{' ', t})
	}
	return out, true
}

// replace deletes all of a and inserts all of b.
func replace(a, b []string) []edit {
	out := make([]edit, 0, len(a)+len(b))
	for _, t := range a {
		out = append(out, edit{'-', t})
	}
	for _, t := range b {
		out = append(out, edit{'+', t})
	}
	return out
}

// trim splits off the common prefix (its length p) and suffix, returning
// the middles that differ.
func trim(a, b []string) (p int, ma, mb []string) {
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	sfx := 0
	for sfx < len(a)-p && sfx < len(b)-p && a[len(a)-1-sfx] == b[len(b)-1-sfx] {
		sfx++
	}
	return p, a[p : len(a)-sfx], b[p : len(b)-sfx]
}

// myers is Myers' O(ND) difference algorithm ("An O(ND) Difference
// Algorithm and Its Variations", 1986): for each edit count d it extends
// the furthest-reaching path on every diagonal k, keeping a copy of the
// frontier v[-d..d] per d so that the path can be traced back.
func myers(a, b []string, maxD int) ([]edit, bool) {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return replace(a, b), n+m <= maxD
	}
	maxD = min(maxD, n+m)
	off := maxD + 1
	v := make([]int32, 2*maxD+3)
	var trace [][]int32
	for d := 0; d <= maxD; d++ {
		trace = append(trace, append([]int32(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = int(v[off+k+1]) // down: an insertion
			} else {
				x = int(v[off+k-1]) + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = int32(x)
			if x >= n && y >= m {
				return backtrack(a, b, trace, d), true
			}
		}
	}
	return nil, false
}

// backtrack follows the path from (len(a), len(b)) back to (0, 0). Each
// step back over edit d leaves the diagonal snake after the edit, then the
// edit itself: an insertion when the path came down from diagonal k+1, a
// deletion when it came right from k-1.
func backtrack(a, b []string, trace [][]int32, dEnd int) []edit {
	rev := make([]edit, 0, len(a)+len(b))
	x, y := len(a), len(b)
	for d := dEnd; d > 0; d-- {
		v := trace[d] // the frontier after d-1 edits, v[k+d] for diagonal k
		k := x - y
		pk := k - 1
		if k == -d || (k != d && v[k-1+d] < v[k+1+d]) {
			pk = k + 1
		}
		px := int(v[pk+d])
		py := px - pk
		sx, sy := px+1, py // where the edit leads
		if pk == k+1 {
			sx, sy = px, py+1
		}
		for x > sx && y > sy {
			rev = append(rev, edit{' ', a[x-1]})
			x, y = x-1, y-1
		}
		if pk == k+1 {
			rev = append(rev, edit{'+', b[py]})
		} else {
			rev = append(rev, edit{'-', a[px]})
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		rev = append(rev, edit{' ', a[x-1]})
		x, y = x-1, y-1
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// splitLines cuts text into lines and the newlines between them, so that
// a last line without its newline still equals the same line with one, and
// joining the pieces gives the text back.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		if i > 0 {
			out = append(out, s[:i])
		}
		out = append(out, "\n")
		s = s[i+1:]
	}
	return out
}

// splitWords cuts text into words, runs of spaces, single punctuation marks
// and single CJK characters; joining them gives the text back.
func splitWords(s string) []string {
	var out []string
	start := 0
	kind := -1
	for i, r := range s {
		k := runeKind(r)
		if i > start && (k != kind || k == kindSingle) {
			out = append(out, s[start:i])
			start = i
		}
		kind = k
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

const (
	kindWord = iota
	kindSpace
	kindSingle // a character that is a word by itself
)

func runeKind(r rune) int {
	switch {
	case r == utf8.RuneError:
		return kindSingle
	case unicode.IsSpace(r):
		return kindSpace
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return kindSingle
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return kindWord
	}
	return kindSingle
}

// merge joins neighbouring spans of the same kind.
func merge(in []span) []span {
	var out []span
	for i := 0; i < len(in); {
		j := i + 1
		for j < len(in) && in[j].Op == in[i].Op {
			j++
		}
		if j == i+1 {
			out = append(out, in[i])
		} else {
			var b strings.Builder
			for _, s := range in[i:j] {
				b.WriteString(s.Text)
			}
			out = append(out, span{in[i].Op, b.String()})
		}
		i = j
	}
	return out
}

// changed reports whether a diff has any insertion or deletion.
func changed(d []span) bool {
	for _, s := range d {
		if s.Op != ' ' {
			return true
		}
	}
	return false
}

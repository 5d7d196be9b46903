package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// MaxSize is the largest page, in bytes, the extractors accept. Network articles weigh tens
// of kilobytes; anything near the cap is padding or an attack.
var MaxSize = 8 << 20

var (
	// ErrTooLarge is returned for input over MaxSize.
	ErrTooLarge = errors.New("page over the size cap")
	// ErrNotHTML is returned for input that is not an HTML page at all (empty, binary,
	// JSON, plain text).
	ErrNotHTML = errors.New("not an HTML page")
)

// flatDepth is how deep elements may nest after the flattening fallback. The HTML parser
// refuses documents with more than 512 open elements, and a broken page of unclosed divs
// gets there; flattening keeps its text instead of losing the page.
const flatDepth = 256

// load checks and parses a page. Warnings report the repairs it had to make.
func load(data []byte) (*html.Node, []string, error) { return loadPage(data, false) }

// loadArticle is load for the template extractor: the tree may lack what follows the
// article element where that cannot change what the extractor reads (cut.go).
func loadArticle(data []byte) (*html.Node, []string, error) { return loadPage(data, true) }

func loadPage(data []byte, cut bool) (*html.Node, []string, error) {
	if len(data) > MaxSize {
		return nil, nil, fmt.Errorf("%d bytes, cap %d: %w", len(data), MaxSize, ErrTooLarge)
	}
	if !isHTML(data) {
		return nil, nil, ErrNotHTML
	}
	var warnings []string
	if !utf8.Valid(data) {
		data, warnings = decode(data)
	}
	if cut {
		if root := parseArticle(data); root != nil {
			return root, warnings, nil
		}
	}
	root, err := html.Parse(bytes.NewReader(data))
	if err == nil {
		return root, warnings, nil
	}
	warnings = append(warnings, fmt.Sprintf("html: %v; nesting flattened", err))
	if root, err = html.Parse(bytes.NewReader(flatten(data))); err == nil {
		return root, warnings, nil
	}
	warnings = append(warnings, "html: unparseable after flattening; text only")
	root, err = html.Parse(bytes.NewReader(textOnly(data)))
	if err != nil { // textOnly emits one escaped paragraph: cannot happen
		return nil, warnings, fmt.Errorf("parse text-only page: %w", err)
	}
	return root, warnings, nil
}

// isHTML tells an HTML page from other bodies a crawler meets (images, gzip, JSON, text).
func isHTML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return false
	}
	ct := http.DetectContentType(data)
	if bytes.HasPrefix([]byte(ct), []byte("text/html")) {
		return true
	}
	if !bytes.HasPrefix([]byte(ct), []byte("text/")) {
		return false
	}
	// Text that does not start like HTML (leading junk, an XML prolog) still counts when
	// it carries the elements a page is made of.
	head := data[:min(len(data), 64<<10)]
	if t := bytes.TrimSpace(head); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return false // JSON, whatever HTML fragments its strings hold
	}
	for _, tag := range [][]byte{[]byte("<html"), []byte("<body"), []byte("<article"), []byte("<head")} {
		if indexFold(head, tag) >= 0 {
			return true
		}
	}
	return false
}

// indexFold is bytes.Index for an ASCII lower-case needle, ignoring the haystack's case.
func indexFold(s, lowerSep []byte) int {
	n := len(lowerSep)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lower(s[i+j]) == lowerSep[j] {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// decode converts a page that is not valid UTF-8 using its declared or sniffed charset
// (older ecosystems and outlets may serve windows-1251), replacing what stays invalid.
func decode(data []byte) ([]byte, []string) {
	enc, name, _ := charset.DetermineEncoding(data, "text/html")
	var warnings []string
	if name != "utf-8" {
		if out, err := enc.NewDecoder().Bytes(data); err == nil {
			data = out
			warnings = append(warnings, "charset: decoded from "+name)
		}
	}
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
		warnings = append(warnings, "charset: invalid UTF-8 replaced")
	}
	return data, warnings
}

// flatten re-emits the page's tokens, dropping start and end tags nested deeper than
// flatDepth (counted naively, which over-counts, so the parser's own depth stays lower).
func flatten(data []byte) []byte {
	type open struct {
		name string
		kept bool
	}
	var (
		out   bytes.Buffer
		stack []open
		z     = html.NewTokenizer(bytes.NewReader(data))
	)
	out.Grow(len(data))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				out.Write(z.Raw())
			}
			return out.Bytes()
		case html.StartTagToken:
			name, _ := z.TagName()
			if voidElements[string(name)] {
				out.Write(z.Raw())
				continue
			}
			kept := len(stack) < flatDepth
			if len(stack) < 1<<16 {
				stack = append(stack, open{string(name), kept})
			}
			if kept {
				out.Write(z.Raw())
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			// Match within the top few levels only: a stray end tag must not cost a scan
			// of a huge stack.
			for i := len(stack) - 1; i >= 0 && i >= len(stack)-64; i-- {
				if stack[i].name == string(name) {
					if stack[i].kept {
						out.Write(z.Raw())
					}
					stack = stack[:i]
					break
				}
			}
		default:
			out.Write(z.Raw())
		}
	}
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// textOnly keeps just the page's text, as one escaped paragraph.
func textOnly(data []byte) []byte {
	var out bytes.Buffer
	out.WriteString("<!DOCTYPE html><html><body><p>")
	z := html.NewTokenizer(bytes.NewReader(data))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			out.WriteString("</p></body></html>")
			return out.Bytes()
		case html.StartTagToken:
			if n, _ := z.TagName(); string(n) == "script" || string(n) == "style" {
				skip++
			}
		case html.EndTagToken:
			if n, _ := z.TagName(); (string(n) == "script" || string(n) == "style") && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				out.WriteString(html.EscapeString(string(z.Text())))
				out.WriteByte(' ')
			}
		}
	}
}

package web

import (
	"bytes"
	"io"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// Replay rewriting. The CSP sandbox header on the response already stops
// scripts, forms, plugins and outside loads; rewriting the page as well
// means that a browser ignoring part of the policy still gets an inert
// page, that links cannot navigate the frame away, and that nothing on the
// page can make a request to this server other than for archived images.
//
// The policy is an allow-list of attributes on a deny-list of elements:
// elements that run, embed, load or submit are removed with their content
// (script, iframe, object, svg, link, meta, form controls, media, ...);
// every other element keeps only attributes that cannot name a URL or run
// code; img keeps a src pointing into the archive, or is removed; CSS keeps
// no url(), @import or escapes.

// maxReplayInput caps the HTML a replay parses.
const maxReplayInput = 8 << 20

// dropElements are removed with everything inside them.
var dropElements = map[atom.Atom]bool{
	atom.Script: true, atom.Noscript: true, atom.Template: true, atom.Iframe: true, atom.Frame: true,
	atom.Frameset: true, atom.Noframes: true, atom.Object: true, atom.Embed: true, atom.Applet: true,
	atom.Param: true, atom.Svg: true, atom.Math: true, atom.Base: true, atom.Link: true, atom.Meta: true,
	atom.Input: true, atom.Button: true, atom.Select: true, atom.Textarea: true, atom.Option: true,
	atom.Optgroup: true, atom.Datalist: true, atom.Keygen: true, atom.Audio: true, atom.Video: true,
	atom.Source: true, atom.Track: true, atom.Canvas: true, atom.Dialog: true, atom.Image: true,
	atom.Plaintext: true, atom.Xmp: true,
}

// plainName is what an element name of ours looks like; tags such as
// "a<math" that only a tokenizer's error recovery produces are unwrapped.
var plainName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)

// unwrapElements are replaced by their content.
var unwrapElements = map[atom.Atom]bool{atom.Form: true, atom.Fieldset: true}

// keepAttrs cannot name a URL or hold code.
var keepAttrs = map[string]bool{
	"class": true, "id": true, "lang": true, "dir": true, "title": true, "alt": true,
	"width": true, "height": true, "colspan": true, "rowspan": true, "headers": true, "scope": true,
	"datetime": true, "align": true, "valign": true, "start": true, "reversed": true, "hidden": true,
	"style": true, "role": true, "aria-label": true, "aria-hidden": true, "translate": true,
}

// imageSources are the attributes an img may keep its picture in: lazy
// loaders (the network's pages among them) put it in data-src and a blank
// placeholder in src, and no script runs here to swap them.
var imageSources = []string{"data-src", "data-original", "data-lazy-src", "src"}

var dataImage = regexp.MustCompile(`^data:image/(png|gif|jpeg|webp);base64,[A-Za-z0-9+/=\s]*$`)

// rewriteHTML returns an inert copy of an archived page, as UTF-8. base is
// the page's URL, for resolving image URLs; image maps an absolute image URL
// to its replay URL, or "" when the archive does not hold it.
func rewriteHTML(payload []byte, contentType, base string, image func(string) string) []byte {
	if len(payload) > maxReplayInput {
		payload = payload[:maxReplayInput]
	}
	var r io.Reader = bytes.NewReader(payload)
	if dr, err := charset.NewReader(r, contentType); err == nil {
		r = dr
	}
	doc, err := html.ParseWithOptions(r, html.ParseOptionEnableScripting(false))
	if err != nil {
		return []byte("<!DOCTYPE html><meta charset=\"utf-8\"><p>The capture could not be parsed.</p>")
	}
	rw := &rewriter{image: image}
	rw.base, _ = url.Parse(base)
	rw.clean(doc)
	addCharset(doc)
	var out bytes.Buffer
	if err := html.Render(&out, doc); err != nil {
		return []byte("<!DOCTYPE html><meta charset=\"utf-8\"><p>The capture could not be rendered.</p>")
	}
	return out.Bytes()
}

type rewriter struct {
	base  *url.URL
	image func(string) string
}

// clean sanitises n's children (and their subtrees) in place.
func (rw *rewriter) clean(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.CommentNode, html.RawNode:
			n.RemoveChild(c)
		case html.ElementNode:
			rw.element(n, c)
		}
		c = next
	}
}

func (rw *rewriter) element(parent, n *html.Node) {
	if n.Namespace != "" || dropElements[n.DataAtom] || (n.DataAtom == 0 && isDangerousName(n.Data)) {
		parent.RemoveChild(n)
		return
	}
	rw.clean(n)
	if unwrapElements[n.DataAtom] || (n.DataAtom == 0 && !plainName.MatchString(n.Data)) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			n.RemoveChild(c)
			parent.InsertBefore(c, n)
			c = next
		}
		parent.RemoveChild(n)
		return
	}
	switch n.DataAtom {
	case atom.Img:
		src := rw.imageSource(n)
		if src == "" {
			parent.RemoveChild(n)
			return
		}
		n.Attr = append(keptAttrs(n.Attr), html.Attribute{Key: "src", Val: src})
		return
	case atom.A, atom.Area:
		href := ""
		for _, a := range n.Attr {
			if a.Namespace == "" && strings.EqualFold(a.Key, "href") {
				href = a.Val
			}
		}
		n.Attr = keptAttrs(n.Attr)
		// Links cannot be followed from a replay; the target stays
		// readable on hover when it is an ordinary web address.
		if u := rw.resolve(href); u != "" {
			n.Attr = setAttr(n.Attr, "title", "link to "+u)
		}
		return
	case atom.Style:
		css := ""
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				css += c.Data
			}
		}
		for n.FirstChild != nil {
			n.RemoveChild(n.FirstChild)
		}
		n.Attr = nil
		if clean, ok := cleanCSS(css); ok {
			n.AppendChild(&html.Node{Type: html.TextNode, Data: clean})
		} else {
			parent.RemoveChild(n)
		}
		return
	}
	n.Attr = keptAttrs(n.Attr)
}

// isDangerousName catches elements the atom table does not know, spelled
// to slip past it.
func isDangerousName(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "script") || strings.Contains(name, "frame") || strings.Contains(name, "object") ||
		name == "portal"
}

func keptAttrs(attrs []html.Attribute) []html.Attribute {
	out := attrs[:0:0]
	for _, a := range attrs {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" || !keepAttrs[key] {
			continue
		}
		if key == "style" {
			clean, ok := cleanCSS(a.Val)
			if !ok {
				continue
			}
			a.Val = clean
		}
		a.Key = key
		out = append(out, a)
	}
	return out
}

func setAttr(attrs []html.Attribute, key, val string) []html.Attribute {
	for i := range attrs {
		if attrs[i].Key == key {
			attrs[i].Val = val
			return attrs
		}
	}
	return append(attrs, html.Attribute{Key: key, Val: val})
}

// imageSource is the replay URL of an img's picture: an inline data: image
// of a raster type, or an image the archive holds. "" drops the img.
func (rw *rewriter) imageSource(n *html.Node) string {
	for _, name := range imageSources {
		for _, a := range n.Attr {
			if a.Namespace != "" || !strings.EqualFold(a.Key, name) {
				continue
			}
			v := strings.TrimSpace(a.Val)
			if v == "" {
				continue
			}
			if strings.HasPrefix(strings.ToLower(v), "data:") {
				if dataImage.MatchString(v) && len(v) < 1<<20 {
					return v
				}
				continue
			}
			if abs := rw.resolve(v); abs != "" && rw.image != nil {
				if src := rw.image(abs); src != "" {
					return src
				}
			}
		}
	}
	return ""
}

// resolve makes an http(s) URL absolute against the page's URL; anything
// else (javascript:, data:, mailto:) gives "".
func (rw *rewriter) resolve(ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 4096 {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if rw.base != nil {
		u = rw.base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// cleanCSS keeps a style sheet or style attribute only if it cannot load
// anything or run anything: every url(...) becomes none, and a sheet with
// @import, escapes (which can spell url or expression in disguise),
// image-set, expression(), javascript: or bindings is dropped whole.
func cleanCSS(css string) (string, bool) {
	lower := strings.ToLower(css)
	for _, bad := range []string{"\\", "@import", "expression", "javascript:", "vbscript:", "image-set",
		"behavior", "-moz-binding", "</", "<!--"} {
		if strings.Contains(lower, bad) {
			return "", false
		}
	}
	if !strings.Contains(lower, "url(") {
		return css, true
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, "url(")
		if i < 0 {
			b.WriteString(css)
			break
		}
		b.WriteString(css[:i])
		b.WriteString("none")
		j := closeParen(css, i+4)
		if j < 0 {
			break
		}
		css, lower = css[j+1:], lower[j+1:]
	}
	return b.String(), true
}

// closeParen finds the ')' that ends a url( whose argument starts at i,
// skipping quoted strings; -1 if there is none.
func closeParen(s string, i int) int {
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ')':
			return i
		}
	}
	return -1
}

// addCharset puts <meta charset="utf-8"> first in the head: the page has
// been decoded to UTF-8, whatever it declared.
func addCharset(doc *html.Node) {
	head := find(doc, atom.Head)
	if head == nil {
		return
	}
	meta := &html.Node{Type: html.ElementNode, Data: "meta", DataAtom: atom.Meta,
		Attr: []html.Attribute{{Key: "charset", Val: "utf-8"}}}
	head.InsertBefore(meta, head.FirstChild)
}

func find(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, a); f != nil {
			return f
		}
	}
	return nil
}

package web

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestSafeSnippet(t *testing.T) {
	for in, want := range map[string]string{
		"a <mark>b</mark> c":                         "a <mark>b</mark> c",
		"&lt;script&gt;<mark>x</mark>":               "&lt;script&gt;<mark>x</mark>",
		"<script>alert(1)</script><mark>x</mark>":    "&lt;script&gt;alert(1)&lt;/script&gt;<mark>x</mark>",
		"<mark>a<mark>b</mark>":                      "<mark>ab</mark>",
		"</mark>a<mark>b":                            "a<mark>b</mark>",
		`<mark onclick="x">a</mark>`:                 `&lt;mark onclick=&#34;x&#34;&gt;a`,
		"&amp;lt;b&amp;gt;":                          "&amp;lt;b&amp;gt;",
		"cut entity &am":                             "cut entity &amp;am",
		"ロシア<mark>外務省</mark>は":                       "ロシア<mark>外務省</mark>は",
		"\xff\xfeinvalid":                            "invalid",
		`<img src=x onerror="top.document.title=1">`: "&lt;img src=x onerror=&#34;top.document.title=1&#34;&gt;",
	} {
		if got := string(safeSnippet(in)); got != want {
			t.Errorf("safeSnippet(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever the input, the output parses to text and <mark> elements only.
func FuzzSafeSnippet(f *testing.F) {
	for _, s := range []string{"a <mark>b</mark>", "<script>x</script>", "<mark><mark></mark>", "&lt;&#x3c;&", "<<mark>>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := string(safeSnippet(in))
		nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P})
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && (n.Data != "mark" || len(n.Attr) > 0) {
				t.Fatalf("%q gave element <%s %v>: %q", in, n.Data, n.Attr, out)
			}
			if n.Type == html.CommentNode {
				t.Fatalf("%q gave a comment: %q", in, out)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		for _, n := range nodes {
			walk(n)
		}
	})
}

package web

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestCleanCSS(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"color: red", "color: red", true},
		{"background: url(/api/v1/export) no-repeat", "background: none no-repeat", true},
		{`background:URL( "a)b.png" ) ; color:red`, "background:none ; color:red", true},
		{"background: url(/x", "background: none", true},
		{"list-style: url('a.png'), url(b.png)", "list-style: none, none", true},
		{"@import 'x.css'; color: red", "", false},
		{`background: u\72l(/x)`, "", false},
		{"width: expression(alert(1))", "", false},
		{"background: javascript:alert(1)", "", false},
		{"background-image: image-set('/x' 1x)", "", false},
		{"behavior: url(x.htc)", "", false},
		{"-moz-binding: url(x)", "", false},
		{"</style><script>", "", false},
	} {
		got, ok := cleanCSS(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("cleanCSS(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRewriteHTML(t *testing.T) {
	lookup := func(u string) string {
		if u == "https://site.example/news/img/a.jpg" {
			return "/capture/img?url=A"
		}
		return ""
	}
	page := `<html><head><title>t</title></head><body>
<img data-src="img/a.jpg" src="/blank.gif" alt="a">
<img src="https://site.example/img/b.jpg">
<img src="data:image/png;base64,iVBORw0KGgo=">
<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">
<img srcset="https://site.example/news/img/a.jpg 1x">
<a href="../other.html" onclick="x()">other</a>
<p STYLE="color:red" ONMOUSEOVER="x()" data-x="1" xml:lang="ja">p</p>
<custom-script>c</custom-script><my-iframe-thing>f</my-iframe-thing>
</body></html>`
	out := string(rewriteHTML([]byte(page), "text/html", "https://site.example/news/1.html", lookup))
	mustContain(t, "rewrite", out, `<img alt="a" src="/capture/img?url=A"/>`, `<img src="data:image/png;base64,iVBORw0KGgo="/>`,
		`<a title="link to https://site.example/other.html">other</a>`, `<p style="color:red">p</p>`)
	mustNotContain(t, "rewrite", out, "b.jpg", "svg", "srcset", "onclick", "onmouseover", "data-x", "xml:lang", "custom-script", "my-iframe")
	if n := strings.Count(out, "<img"); n != 2 {
		t.Errorf("%d images kept, want 2", n)
	}
	checkInert(t, out)
}

// A page in Shift_JIS comes back as UTF-8, declared so.
func TestRewriteHTMLCharset(t *testing.T) {
	src := `<html><head><meta charset="Shift_JIS"><title>外務省</title></head><body><p>ロシア外務省の報道官</p></body></html>`
	sjis, err := japanese.ShiftJIS.NewEncoder().String(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"text/html; charset=Shift_JIS", "text/html"} {
		out := string(rewriteHTML([]byte(sjis), ct, "http://x.example/", nil))
		mustContain(t, ct, out, `<meta charset="utf-8"/>`, "<p>ロシア外務省の報道官</p>", "<title>外務省</title>")
		mustNotContain(t, ct, out, "Shift_JIS")
	}
}

func TestRewriteHTMLHostileFixture(t *testing.T) {
	w := testWorld(t)
	_ = w
	src := mustRead(t, "testdata/hostile.html")
	out := string(rewriteHTML(src, "text/html; charset=utf-8", url102, func(string) string { return "" }))
	checkInert(t, out)
	if strings.Contains(strings.ToLower(out), "<img") {
		t.Error("an image survived with no archive to serve it")
	}
}

var activeTag = regexp.MustCompile(`(?i)<(script|iframe|frame|object|embed|svg|math|base|link|form|input)[\s/>]`)

func FuzzRewriteHTML(f *testing.F) {
	f.Add([]byte(`<p onclick=x>a<img src=a.jpg><style>p{background:url(x)}</style><a href="javascript:x">b</a>`))
	f.Add([]byte(`<svg><script>x</script></svg><math><mi><img src=x onerror=y>`))
	f.Add([]byte(`<table><form><input></form><noscript><p>x</noscript><template><b>t</template>`))
	f.Add([]byte("<html><body>" + strings.Repeat("<div>", 200) + "x"))
	f.Add(mustReadF(f, "testdata/hostile.html"))
	lookup := func(u string) string { return "/capture/img?url=" + u }
	f.Fuzz(func(t *testing.T, in []byte) {
		out := rewriteHTML(in, "text/html", "https://site.example/a/b.html", lookup)
		checkInert(t, string(out))
		if m := activeTag.Find(out); m != nil {
			t.Fatalf("output holds %q: %s", m, out)
		}
	})
}

package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func body(t *testing.T, fragment string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader("<html><body><div id=root>" + fragment + "</div></body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	var root *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == "root" {
				root = n
			}
		}
		for c := n.FirstChild; c != nil && root == nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	return paragraphs(root, nil)
}

// The Japanese site's quirks: a stray U+FE0F left from a stripped emoji, zero-width
// characters, ideographic-space indentation, source line breaks inside sentences.
func TestJapaneseCleaning(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"stray FE0F", "<p>&#xFE0F;ロシア外務省は声明を出した。</p>", []string{"ロシア外務省は声明を出した。"}},
		{"FE0F after spaces", "<p> \n &#xFE0F;  声明</p>", []string{"声明"}},
		{"several selectors and ZWSP", "<p>&#x200B;&#xFE0E;&#xFE0F;&#xFEFF;声明</p>", []string{"声明"}},
		{"ideographic indent", "<p>\u3000\u3000声明を出した。</p>", []string{"声明を出した。"}},
		{"ideographic space inside kept", "<p>声明\u3000全文</p>", []string{"声明\u3000全文"}},
		{"ZWSP inside dropped", "<p>声\u200B明</p>", []string{"声明"}},
		{"FE0F after space inside dropped", "<p>声明 \uFE0F続き</p>", []string{"声明 続き"}},
		{"emoji selector kept", "<p>注意\u26A0\uFE0F です</p>", []string{"注意\u26A0\uFE0F です"}},
		{"wrapped CJK line joins", "<p>東京の大使館も\n      テレグラムで</p>", []string{"東京の大使館もテレグラムで"}},
		{"wrapped latin line keeps space", "<p>Moscow will\n   respond</p>", []string{"Moscow will respond"}},
		{"NFC", "<p>Cafe\u0301 カ\u3099</p>", []string{"Café ガ"}},
		{"br is a line, two br a paragraph", "<p>一<br>二<br><br>三</p>", []string{"一\n二", "三"}},
		{"empty paragraphs dropped", "<p>&nbsp;</p><p>\uFE0F</p><p>本文</p>", []string{"本文"}},
		{"boilerplate dropped", `<p>本文</p><script>x()</script><style>p{}</style><figure><img src=a.jpg><figcaption>写真：説明</figcaption></figure>` +
			`<div class="article__share"><a href="#">シェア</a></div><div class="ad">広告</div><p hidden>隠し</p><p style="display: none">隠し</p><noscript>no</noscript>`,
			[]string{"本文"}},
		{"text outside blocks", "前文<p>本文</p>後文", []string{"前文", "本文", "後文"}},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", []string{"a b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := body(t, tt.in)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("paragraphs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDropHeadline(t *testing.T) {
	title := "ザハロワ報道官、日本の新たな対ロ制裁に抗議"
	tests := []struct {
		paras []string
		want  int // paragraphs left
	}{
		{[]string{title, "本文"}, 1},
		{[]string{"ザハロワ報道官 日本の新たな対ロ制裁に抗議！", "本文"}, 1}, // punctuation differs
		{[]string{"本文", title}, 2}, // only a leading copy is dropped
		{[]string{"ザハロワ報道官、日本の新たな対ロ制裁に抗議した", "本文"}, 2}, // not the same text
		{[]string{"…", "本文"}, 2}, // no letters: never equal to a title
		{nil, 0},
	}
	for _, tt := range tests {
		if got := dropHeadline(tt.paras, "", title); len(got) != tt.want {
			t.Errorf("dropHeadline(%q) left %d, want %d", tt.paras, len(got), tt.want)
		}
	}
}

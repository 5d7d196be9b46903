package web

import (
	"strings"
	"testing"
)

// sides rebuilds the old and new texts from a diff.
func sides(d []span) (old, new string) {
	var a, b strings.Builder
	for _, s := range d {
		if s.Op != '+' {
			a.WriteString(s.Text)
		}
		if s.Op != '-' {
			b.WriteString(s.Text)
		}
	}
	return a.String(), b.String()
}

func render(d []span) string {
	var b strings.Builder
	for _, s := range d {
		switch s.Op {
		case '-':
			b.WriteString("[-" + s.Text + "-]")
		case '+':
			b.WriteString("{+" + s.Text + "+}")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestDiffText(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"", "", ""},
		{"same", "same", "same"},
		{"the quick fox", "the slow fox", "the [-quick-]{+slow+} fox"},
		{"日本政府を批判した。", "日本政府を強く批判した。", "日本政府を{+強く+}批判した。"},
		{"Запад ввёл санкции.", "Запад ввёл новые санкции.", "Запад ввёл {+новые +}санкции."},
		{"a\n\nb", "a\n\nb\n\nc", "a\n\nb{+\n\nc+}"},
		{"one two three", "", "[-one two three-]"},
	} {
		d := diffText(tc.a, tc.b)
		if got := render(d); got != tc.want {
			t.Errorf("diff(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
		if changed(d) != (tc.a != tc.b) {
			t.Errorf("changed(%q, %q) wrong", tc.a, tc.b)
		}
	}
}

// A change too large for the word table falls back to lines and still
// gives both texts back.
func TestDiffTextLarge(t *testing.T) {
	var a, b strings.Builder
	for i := range 3000 {
		line := strings.Repeat("報道官は制裁について語った", 1+i%3)
		a.WriteString(line + "\n")
		if i%100 == 0 {
			b.WriteString("追加 " + line + "\n")
		} else {
			b.WriteString(line + "\n")
		}
	}
	d := diffText(a.String(), b.String())
	if oa, ob := sides(d); oa != a.String() || ob != b.String() {
		t.Fatal("large diff does not give the texts back")
	}
	if got := strings.Count(render(d), "{+追加 +}"); got != 30 {
		t.Errorf("%d insertions found, want 30", got)
	}
}

func FuzzDiffText(f *testing.F) {
	f.Add("the quick fox", "the slow fox")
	f.Add("日本政府を批判した。\n\nb", "日本政府を強く批判した。\nb\n")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 4000 || len(b) > 4000 {
			return
		}
		d := diffText(a, b)
		if oa, ob := sides(d); oa != a || ob != b {
			t.Fatalf("diff(%q, %q) gives back %q, %q", a, b, oa, ob)
		}
	})
}

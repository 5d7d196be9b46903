package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShorten(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"Pravda Balkan", 28, "Pravda Balkan"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"プラウダ・ニホン", 16, "プラウダ・ニホン"},
		{"プラウダ・ニホン", 10, "プラウダ…"},
		{"", 5, ""},
	}
	for _, c := range cases {
		if got := shorten(c.in, c.n); got != c.want || !utf8.ValidString(got) {
			t.Errorf("shorten(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
	if got := shorten(strings.Repeat("在", 100), 28); utf8.RuneCountInString(got) != 14 {
		t.Errorf("100 CJK characters cut to %q", got)
	}
}

func TestNiceScale(t *testing.T) {
	for _, peak := range []int64{0, 1, 3, 7, 10, 99, 101, 1049, 2500, 123456} {
		step, top := niceScale(peak)
		if top < float64(peak) || top/step > 10 || top/step < 1 || step < 1 {
			t.Errorf("peak %d: step %v top %v", peak, step, top)
		}
	}
}

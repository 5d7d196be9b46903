package extract

import (
	"strings"
	"testing"
	"time"
)

func TestParseDatetime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-05-01T10:00:00+03:00", "2024-05-01T10:00:00+03:00"},
		{"2024-05-01T07:00:00Z", "2024-05-01T07:00:00Z"},
		{"2024-05-01T07:00:00.123+00:00", "2024-05-01T07:00:00Z"},
		{" 2024-05-01T10:00:00 ", "2024-05-01T10:00:00+03:00"}, // no zone: Moscow
		{"2024-05-01 10:00", "2024-05-01T10:00:00+03:00"},
		{"2024-05-01T10:00:00+0300", "2024-05-01T10:00:00+03:00"},
		{"2024-05-01", "2024-05-01T00:00:00+03:00"},
		{"yesterday", ""},
		{"", ""},
		{"1024-05-01T10:00:00Z", ""}, // implausible
		{"2024-13-01T10:00:00Z", ""},
	}
	for _, tt := range tests {
		got, ok := parseDatetime(tt.in)
		if s := fmtTime(got, ok); s != tt.want {
			t.Errorf("parseDatetime(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func TestParseShown(t *testing.T) {
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, moscow())
	tests := []struct {
		in   string
		day  time.Time
		want string
	}{
		{"01.05.2024, 10:00", time.Time{}, "2024-05-01T10:00:00+03:00"},
		{"1.5.2024 9:05", time.Time{}, "2024-05-01T09:05:00+03:00"},
		{"01.05.2024", time.Time{}, "2024-05-01T00:00:00+03:00"},
		{"Опубликовано 01.05.2024, 10:00 МСК", time.Time{}, "2024-05-01T10:00:00+03:00"},
		{"10:00", day, "2024-05-01T10:00:00+03:00"},
		{"10:00", time.Time{}, ""}, // a bare time needs a date
		{"31.02.2024, 10:00", time.Time{}, ""},
		{"01.13.2024, 10:00", time.Time{}, ""},
		{"01.05.2024, 25:00", time.Time{}, ""}, // garbage is refused, not half-read
		{"昨日", day, ""},
	}
	for _, tt := range tests {
		got, ok := parseShown(tt.in, tt.day)
		if s := fmtTime(got, ok); s != tt.want {
			t.Errorf("parseShown(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func fmtTime(t time.Time, ok bool) string {
	if !ok {
		return ""
	}
	return t.Format(time.RFC3339)
}

// The fallback chain on whole pages: datetime attribute, visible text, URL date, nothing.
func TestPublishedFallbacks(t *testing.T) {
	const u = "https://japan.news-pravda.com/world/2024/05/01/12345.html"
	tests := []struct {
		name, timeHTML, url, want, warning string
	}{
		{"attr", `<div class="article__time"><time datetime="2024-05-01T10:00:00+03:00">x</time></div>`, u, "2024-05-01T10:00:00+03:00", ""},
		{"attr in UTC kept in UTC", `<div class="article__time"><time datetime="2024-05-01T07:00:00Z"></time></div>`, u, "2024-05-01T07:00:00Z", ""},
		{"text", `<div class="article__time"><time>01.05.2024, 10:00</time></div>`, u, "2024-05-01T10:00:00+03:00", ""},
		{"bad attr, good text", `<div class="article__time"><time datetime="soon">01.05.2024, 10:00</time></div>`, u, "2024-05-01T10:00:00+03:00", "unreadable datetime"},
		{"no time element, text in div", `<div class="article__time">01.05.2024, 10:00</div>`, u, "2024-05-01T10:00:00+03:00", ""},
		{"bare time takes the URL date", `<div class="article__time"><time>10:00</time></div>`, u, "2024-05-01T10:00:00+03:00", ""},
		{"URL date", ``, u, "2024-05-01T00:00:00+03:00", "date from the URL"},
		{"disagreeing date", `<div class="article__time"><time datetime="2024-04-20T10:00:00+03:00"></time></div>`, u, "2024-04-20T10:00:00+03:00", "not on the URL's date"},
		{"nothing", ``, "https://example.org/x", "0001-01-01T00:00:00Z", "published: none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := `<html><body><article><h1>T</h1>` + tt.timeHTML + `<div class="article__text"><p>x</p></div></article></body></html>`
			a, err := Page([]byte(page), tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Published.Format(time.RFC3339); got != tt.want {
				t.Errorf("published = %s, want %s", got, tt.want)
			}
			pw := publishedWarnings(a)
			if tt.warning == "" && len(pw) > 0 || tt.warning != "" && !strings.Contains(strings.Join(pw, "|"), tt.warning) {
				t.Errorf("published warnings = %q, want %q", pw, tt.warning)
			}
		})
	}
}

func publishedWarnings(a *Article) []string {
	var out []string
	for _, w := range a.Warnings {
		if strings.HasPrefix(w, "published") {
			out = append(out, w)
		}
	}
	return out
}

package extract

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

func TestRejects(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrNotHTML},
		{"whitespace", []byte(" \n\t "), ErrNotHTML},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), ErrNotHTML},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03<html>"), ErrNotHTML},
		{"api json", []byte(`{"news":"<div class=\"news-item\"><a class=\"news-item__title\" href=\"/x\">t</a></div>"}`), ErrNotHTML},
		{"plain text", []byte("just some text, no markup at all"), ErrNotHTML},
		{"oversize", append([]byte("<html><body>"), bytes.Repeat([]byte("a"), MaxSize)...), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, f := range extractors() {
				a, err := f(tt.in, japanPage.url)
				if !errors.Is(err, tt.want) || a != nil {
					t.Errorf("%s: got %v, %v; want %v", name, a, err, tt.want)
				}
			}
		})
	}
}

func extractors() map[string]func([]byte, string) (*Article, error) {
	return map[string]func([]byte, string) (*Article, error){
		"Page":    func(b []byte, u string) (*Article, error) { return Page(b, u, nil) },
		"Generic": Generic,
		"Any":     func(b []byte, u string) (*Article, error) { return Any(b, u, nil) },
	}
}

// Things that are HTML, however odd, give a record.
func TestAcceptsOddHTML(t *testing.T) {
	for _, in := range []string{
		"\xef\xbb\xbf<!DOCTYPE html><html><body><article><div class=article__text><p>x</p></div></article>",
		`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>`,
		"garbage first, then <html><body><p>x</p></body></html>",
		"<!-- a comment first --><p>x</p>",
		"<div>no html element at all</div>",
	} {
		for name, f := range extractors() {
			if a, err := f([]byte(in), "https://example.org/"); err != nil || a == nil {
				t.Errorf("%s(%.40q) = %v, %v", name, in, a, err)
			}
		}
	}
}

// More nesting than the HTML parser allows (512) must still give the text.
func TestDeepNesting(t *testing.T) {
	for _, depth := range []int{600, 100_000} {
		page := `<html><body><article><h1>Deep</h1><div class="article__text"><p>Lead paragraph.</p>` +
			strings.Repeat("<div>", depth) + "<p>Buried paragraph.</p></article></body></html>"
		start := time.Now()
		a, err := Page([]byte(page), "https://news-pravda.com/world/2024/05/02/1.html", nil)
		if err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
		if !strings.Contains(a.Text, "Lead paragraph.") || !strings.Contains(a.Text, "Buried paragraph.") {
			t.Errorf("depth %d: text = %q", depth, a.Text)
		}
		if !hasWarning(a, "flattened") {
			t.Errorf("depth %d: warnings = %q", depth, a.Warnings)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("depth %d took %v", depth, d)
		}
	}
}

// An outlet page in windows-1251 is decoded by its declared charset.
func TestCharset(t *testing.T) {
	page := `<html><head><meta charset="windows-1251"><title>Заголовок</title></head><body><article>` +
		`<h1>Заголовок</h1><div class="article__text"><p>Официальный представитель МИД России.</p></div></article></body></html>`
	cp, err := charmap.Windows1251.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Page([]byte(cp), "https://lnr-news.ru/world/2024/05/01/1.html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Заголовок" || a.Text != "Официальный представитель МИД России." {
		t.Errorf("title %q text %q", a.Title, a.Text)
	}
	if !hasWarning(a, "windows-1251") {
		t.Errorf("warnings = %q", a.Warnings)
	}
	if a.Site != "lnr-news.ru" || a.ID != 1 || a.Lang != "ru" {
		t.Errorf("legacy family identity = %q %d %q", a.Site, a.ID, a.Lang)
	}
}

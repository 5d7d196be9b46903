package extract

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPage feeds arbitrary bytes to every extractor: no panic, and any record returned is
// well-formed (valid UTF-8, bounded lists, a hash that matches, JSON that encodes). The
// seeds are whole pages, so minimising a find takes long: run it with a bound, e.g.
// `go test -fuzz FuzzPage -fuzzminimizetime 20x ./extract/`.
func FuzzPage(f *testing.F) {
	for _, p := range append(append([]fixture{}, networkPages...), outletPages...) {
		f.Add(p.read(f), p.url)
	}
	f.Add([]byte("<html><body><article><div class=article__text>"+strings.Repeat("<div>", 700)), "https://news-pravda.com/a/2024/01/01/1.html")
	f.Add([]byte("<p>\xff\xfe broken utf8 <time datetime=\"2024-99-99\">99.99.9999</time>"), "::not a url")
	f.Fuzz(func(t *testing.T, data []byte, pageURL string) {
		for name, extract := range extractors() {
			a, err := extract(data, pageURL)
			if err != nil {
				if a != nil {
					t.Fatalf("%s: both a record and an error", name)
				}
				continue
			}
			for field, s := range map[string]string{"title": a.Title, "text": a.Text, "category": a.Category,
				"og_title": a.OGTitle, "og_description": a.OGDescription} {
				if !utf8.ValidString(s) {
					t.Fatalf("%s: %s is not valid UTF-8: %q", name, field, s)
				}
			}
			if len(a.Images) > maxImages || len(a.Links) > maxLinks || len(a.Alternates) > maxAlternates {
				t.Fatalf("%s: unbounded lists", name)
			}
			if a.BodyHash != bodyHash(a.Title, a.Text) {
				t.Fatalf("%s: body_hash does not match title and text", name)
			}
			if _, err := json.Marshal(a); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	})
}

package catalog

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzPutArticle feeds hostile page fields through PutArticle and back: it
// must never fail on content, and what it stores must be valid UTF-8 within
// the caps.
func FuzzPutArticle(f *testing.F) {
	f.Add("title", "body", "https://japan.news-pravda.com/world/2025/03/01/1.html", "ja", "t.me/rusembjp/1", "2025-03-01")
	f.Add("\ufe0fタイトル", "\xff\xfe\x00本文", "https://x/?a=1&b='; DROP TABLE articles;--", "", "", "")
	f.Add(strings.Repeat("長", 5000), strings.Repeat("x", 1<<16), strings.Repeat("/", 9000), "zz", "\x00", "")
	f.Add(`"q"\u0000<&>`, "b", "https://x/\"'\\\x00\u2028", "ja\x00", "https://i/\x00.jpg", "")
	c := openTest(f)
	var id int64
	f.Fuzz(func(t *testing.T, title, body, url, lang, source, day string) {
		id++
		a := Article{Site: "fuzz", ID: id, Title: title, URL: url, CanonicalURL: url + "#c", Lang: lang,
			SourceURL: source, SourceTitle: title, OGDescription: body,
			Alternates: []Alternate{{Lang: lang, URL: url}}, Images: []Image{{URL: source, MD5: title}},
			Origin: Origin{Kind: lang, Channel: source, URL: source}}
		if _, err := time.Parse(dayLayout, day); err == nil {
			a.PublishedDay = day
		}
		v := Version{CapturedAt: t0, BodyHash: body + "h", Text: body, Title: title, URL: url, ETag: title}
		if _, err := c.PutArticle(context.Background(), a, v); err != nil {
			t.Fatal(err)
		}
		got, err := c.Article(context.Background(), "fuzz", id)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{got.Title, got.URL, got.CanonicalURL, got.Lang, got.SourceURL, got.OGDescription,
			got.Versions[0].Text, got.Versions[0].ETag, got.Origin.Channel} {
			if !utf8.ValidString(s) {
				t.Fatalf("stored invalid UTF-8 %q", s)
			}
		}
		if len(got.Title) > maxTitle || len(got.URL) > maxURL || len(got.Versions[0].Text) > maxText || len(got.Lang) > maxShort {
			t.Fatalf("cap exceeded: title %d url %d text %d", len(got.Title), len(got.URL), len(got.Versions[0].Text))
		}
		if want := clip(title, maxTitle); got.Title != want {
			t.Fatalf("title %q, want %q", got.Title, want)
		}
		// Alternates and images travel as JSON into SQLite: every byte must come back.
		if url != "" && (len(got.Alternates) != 1 || got.Alternates[0] != (Alternate{Lang: clip(lang, maxShort), URL: clip(url, maxURL)})) {
			t.Fatalf("alternates %q, want [{%q %q}]", got.Alternates, clip(lang, maxShort), clip(url, maxURL))
		}
		if source != "" && (len(got.Images) != 1 || got.Images[0] != (Image{URL: clip(source, maxURL), MD5: clip(title, maxShort)})) {
			t.Fatalf("images %q, want [{%q %q}]", got.Images, clip(source, maxURL), clip(title, maxShort))
		}
	})
}

package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func openTest(t testing.TB) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return c
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

var jst = time.FixedZone("JST", 9*3600)

// sample is a Pravda Nihon article as the extractor would hand it over.
func sample(id int64) Article {
	pub := time.Date(2025, 3, 1, 8, 30, 0, 0, jst)
	return Article{
		Site:          "japan",
		ID:            id,
		CanonicalURL:  fmt.Sprintf("https://japan.news-pravda.com/world/2025/03/01/%d.html", id),
		URL:           fmt.Sprintf("https://japan.news-pravda.com/world/2025/03/01/%d.html", id),
		Lang:          "ja",
		Category:      "world",
		Title:         "ザハロワ報道官の会見",
		Published:     pub,
		SourceTitle:   "Telegram 在日ロシア大使館",
		SourceURL:     fmt.Sprintf("https://t.me/rusembjp/%d", id),
		OGTitle:       "ザハロワ報道官の会見",
		OGDescription: "ロシア外務省",
		Origin:        Origin{Kind: "telegram", Channel: "rusembjp", Post: fmt.Sprint(id), Platform: "telegram", URL: fmt.Sprintf("https://t.me/rusembjp/%d", id)},
		Alternates: []Alternate{
			{Lang: "en", URL: fmt.Sprintf("https://news-pravda.com/world/2025/03/01/%d.html", id+1000000)},
			{Lang: "fr", URL: fmt.Sprintf("https://francais.news-pravda.com/monde/2025/03/01/%d.html", id+500000)},
		},
		Images: []Image{{URL: fmt.Sprintf("https://japan.news-pravda.com/img/20250301/%032x.jpg", id), MD5: fmt.Sprintf("%032x", id)}},
	}
}

func capture(body string, at time.Time) Version {
	return Version{
		CapturedAt:    at,
		Status:        200,
		BodyHash:      hash(body),
		Title:         "ザハロワ報道官の会見",
		Text:          body,
		WARCFile:      "pravda-20250301-00001.warc.gz",
		WARCOffset:    at.UnixMilli(), // distinct per capture time
		WARCLength:    4096,
		RecordID:      "<urn:uuid:" + hash(body + at.String())[:32] + ">",
		PayloadDigest: "sha1:" + hash(body)[:32],
		ETag:          `"` + hash(body)[:8] + `"`,
	}
}

func mustPut(t testing.TB, c *Catalog, a Article, v Version) PutResult {
	t.Helper()
	r, err := c.PutArticle(context.Background(), a, v)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func countRows(t testing.TB, c *Catalog, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := c.r.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

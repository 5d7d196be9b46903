package index

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pravda-archive/pravda/index/query"
)

// Doc is what the index needs of one article. Key identifies it ("japan:1029140");
// indexing a Key again replaces the earlier document, wherever its month was.
type Doc struct {
	Key       string
	Site      string
	Lang      string // ISO 639-1 ("ja"); picks the text fields and analyzer
	Category  string
	Title     string
	Text      string
	Published time.Time // in the site's zone: day and month are taken from it as given
	// OriginKind, Outlet and Channel describe where the article was laundered from:
	// telegram_post, state_outlet, ...; the outlet (tass); the Telegram channel.
	OriginKind string
	Outlet     string
	Channel    string
	Story      string // story group shared by the language editions of one story
	URL        string
}

// Caps on fetched content.
const (
	MaxKey   = 256
	MaxTitle = 4 << 10
	MaxText  = 512 << 10
)

// Undated is the month of documents with no usable publication time.
const Undated = "undated"

// ErrInvalidDoc marks a document Index skipped.
var ErrInvalidDoc = errors.New("index: invalid document")

// epoch stands in for a missing publication time so that every document has one to sort
// on: undated documents sort oldest, and no real range query reaches back to 1970.
var epoch = time.Unix(0, 0).UTC()

// prepared is a Doc made safe to index.
type prepared struct {
	key    string
	month  string
	fields map[string]any
}

func prepare(d *Doc) (prepared, error) {
	if d.Key == "" || len(d.Key) > MaxKey || !utf8.ValidString(d.Key) {
		return prepared{}, fmt.Errorf("%w: key %.40q", ErrInvalidDoc, d.Key)
	}
	lang := normLang(d.Lang)
	sf := suffixOf(lang)
	f := map[string]any{
		"title_" + sf: clean(d.Title, MaxTitle),
		"body_" + sf:  clean(d.Text, MaxText),
		fieldSuffix:   sf,
	}
	keyword := func(field, name, v string) {
		if v = query.NormalizeKeyword(name, clean(v, 512)); v != "" {
			f[field] = v
		}
	}
	keyword(fieldSite, "site", d.Site)
	keyword(fieldLang, "lang", lang)
	keyword(fieldCategory, "category", d.Category)
	keyword(fieldOrigin, "origin", d.OriginKind)
	keyword(fieldOutlet, "outlet", d.Outlet)
	keyword(fieldChannel, "channel", d.Channel)
	keyword(fieldStory, "story", d.Story)
	if u := clean(d.URL, 4<<10); u != "" {
		f[fieldURL] = u
	}
	month := Undated
	if dated(d.Published) {
		month = d.Published.Format("2006-01")
		f[fieldDay] = d.Published.Format("2006-01-02")
		f[fieldPublished] = d.Published
		f[fieldWhen] = whenValue(d.Published)
	} else {
		f[fieldPublished] = epoch
		f[fieldWhen] = whenValue(epoch)
	}
	return prepared{key: d.Key, month: month, fields: f}, nil
}

// dated reports whether t is a publication time worth a month of its own: bleve stores
// nanoseconds since 1970 in an int64, and anything before the web is a parsing accident.
func dated(t time.Time) bool {
	y := t.Year()
	return !t.IsZero() && y >= 1990 && y <= 2200
}

// normLang reduces a language tag to its primary subtag: "pt-BR" → "pt".
func normLang(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	return l
}

// clean makes hostile text safe to index: valid UTF-8, at most max bytes, cut on a rune
// boundary.
func clean(s string, max int) string {
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

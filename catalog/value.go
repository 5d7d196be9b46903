package catalog

import (
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"
)

// timeLayout is fixed width in UTC, so stored instants sort as text.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

const dayLayout = "2006-01-02"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// parseTime is lenient: a value edited by hand that no longer parses reads
// as unknown rather than failing the whole query.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseNullTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTime(s.String)
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// Size caps for fetched content. Anything longer is cut (the WARC record
// keeps the original); a cap is generous enough that a real page never hits it.
const (
	maxShort    = 256     // lang, kind, ids, statuses
	maxURL      = 4096    // URLs
	maxTitle    = 2048    // titles, source titles
	maxDesc     = 16384   // descriptions, evidence, errors
	maxText     = 4 << 20 // extracted article text
	maxLinks    = 512     // alternates or images per article
	maxHops     = 64      // origin chain length
	maxBatchLen = 100000  // frontier items or rows per call
)

// clip makes s valid UTF-8 and at most n bytes, cutting on a rune boundary.
func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

package extract

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// moscow is the zone the network's CMS writes local times in. Moscow has kept UTC+3 all
// year since 2014, before the network existed, so the fixed zone is right when the system
// has no tz database.
var moscow = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return loc
	}
	return time.FixedZone("MSK", 3*60*60)
})

var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	time.RFC1123Z,
	time.RFC1123,
}

var localLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDatetime reads a machine-readable time (a datetime attribute, a meta tag). One
// without a zone is Moscow time.
func parseDatetime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, plausible(t)
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, moscow()); err == nil {
			return t, plausible(t)
		}
	}
	return time.Time{}, false
}

// parseShown reads the visible text of a time element as Moscow time: the CMS's
// "01.05.2024, 10:00" (also without the time, or with other separators between date and
// time) anywhere in it, else a bare "10:00", as listings and some article headers show for
// today's items, which takes its date from day when day is known.
func parseShown(s string, day time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return time.Time{}, false
	}
	if d, mo, y, h, mi, ok := findDMY(s); ok {
		return civil(y, mo, d, h, mi)
	}
	if h, mi, ok := hourMinute(s); ok && !day.IsZero() {
		return civil(day.Year(), int(day.Month()), day.Day(), h, mi)
	}
	return time.Time{}, false
}

// findDMY finds the first "D.M.YYYY" with an optional "[,\s]{1,4}H:MM" after it: what the
// regexp `(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[,\s]{1,4}(\d{1,2}):(\d{2}))?` would, without
// the regexp machinery on every page. Each part has at most one way to match (a one-digit
// field cannot be followed by a digit, a shorter run of separators is followed by another
// separator), so reading greedily is the regexp's answer.
func findDMY(s string) (d, mo, y, h, mi int, ok bool) {
	for i := 0; i < len(s); i++ {
		if !isDigit(s, i) {
			continue
		}
		j := i
		if d, j, ok = digits12(s, j); !ok || !isByte(s, j, '.') {
			continue
		}
		if mo, j, ok = digits12(s, j+1); !ok || !isByte(s, j, '.') {
			continue
		}
		j++
		if j+4 > len(s) || !isDigit(s, j) || !isDigit(s, j+1) || !isDigit(s, j+2) || !isDigit(s, j+3) {
			continue
		}
		y = atoi(s[j : j+4])
		h, mi = timeAfter(s, j+4)
		return d, mo, y, h, mi, true
	}
	return 0, 0, 0, 0, 0, false
}

// timeAfter reads the optional ", HH:MM" from s[j:]; 0, 0 when there is none.
func timeAfter(s string, j int) (h, mi int) {
	k := j
	for k < len(s) && k-j <= 4 && (s[k] == ',' || s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\f' || s[k] == '\r') {
		k++
	}
	if n := k - j; n < 1 || n > 4 {
		return 0, 0
	}
	h, k, ok := digits12(s, k)
	if !ok || !isByte(s, k, ':') || !isDigit(s, k+1) || !isDigit(s, k+2) {
		return 0, 0
	}
	return h, atoi(s[k+1 : k+3])
}

// hourMinute reads a whole s of the form "H:MM" or "HH:MM".
func hourMinute(s string) (h, mi int, ok bool) {
	h, k, ok := digits12(s, 0)
	if !ok || !isByte(s, k, ':') || len(s) != k+3 || !isDigit(s, k+1) || !isDigit(s, k+2) {
		return 0, 0, false
	}
	return h, atoi(s[k+1:]), true
}

// digits12 reads one or two ASCII digits at s[i:], returning their value and the index
// after them.
func digits12(s string, i int) (int, int, bool) {
	if !isDigit(s, i) {
		return 0, i, false
	}
	if isDigit(s, i+1) {
		return int(s[i]-'0')*10 + int(s[i+1]-'0'), i + 2, true
	}
	return int(s[i] - '0'), i + 1, true
}

func isDigit(s string, i int) bool { return i < len(s) && '0' <= s[i] && s[i] <= '9' }

func isByte(s string, i int, c byte) bool { return i < len(s) && s[i] == c }

// civil builds a Moscow time, refusing out-of-range fields rather than letting time.Date
// normalise 32.13.2024 into a real but wrong day.
func civil(y, mo, d, h, mi int) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, 0, 0, moscow())
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, plausible(t)
}

// plausible rejects dates no news page can have: before the web, or years ahead.
func plausible(t time.Time) bool {
	return t.Year() >= 1995 && t.Before(time.Now().AddDate(2, 0, 0))
}

// urlDay is the publication date an article URL carries, as midnight Moscow time.
func urlDay(d time.Time) time.Time {
	if d.IsZero() {
		return d
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, moscow())
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

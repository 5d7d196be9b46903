package extract

import (
	"regexp"
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

// dmy is the CMS's visible time, "01.05.2024, 10:00" (also without the time, or with other
// separators between date and time).
var dmy = regexp.MustCompile(`(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[,\s]{1,4}(\d{1,2}):(\d{2}))?`)

// hm is a bare "10:00", as listings and some article headers show for today's items.
var hm = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)

// parseShown reads the visible text of a time element as Moscow time. A bare "HH:MM" takes
// its date from day, when day is known.
func parseShown(s string, day time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return time.Time{}, false
	}
	if m := dmy.FindStringSubmatch(s); m != nil {
		d, mo, y := atoi(m[1]), atoi(m[2]), atoi(m[3])
		h, mi := 0, 0
		if m[4] != "" {
			h, mi = atoi(m[4]), atoi(m[5])
		}
		return civil(y, mo, d, h, mi)
	}
	if m := hm.FindStringSubmatch(s); m != nil && !day.IsZero() {
		return civil(day.Year(), int(day.Month()), day.Day(), atoi(m[1]), atoi(m[2]))
	}
	return time.Time{}, false
}

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

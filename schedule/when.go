package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Every fires every d, counted from the previous run (whole seconds; at
// least one).
func Every(d time.Duration) cron.Schedule { return cron.Every(d) }

// Cron parses a standard five-field crontab line ("*/15 * * * *") or a
// descriptor ("@hourly", "@every 15m"), read in loc (UTC when nil).
func Cron(spec string, loc *time.Location) (s cron.Schedule, err error) {
	if loc == nil {
		loc = time.UTC
	}
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, fmt.Errorf("cron %q: give the zone separately, not as TZ=", spec)
	}
	defer func() {
		// The parser is not ours and a schedule comes from a config file:
		// a panic on some odd line must not take the daemon down.
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cron %q: %v", spec, r)
		}
	}()
	s, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", spec, err)
	}
	if ss, ok := s.(*cron.SpecSchedule); ok {
		ss.Location = loc
	}
	return s, nil
}

// DailyAt fires once a day at hh:mm ("07:00") in loc (UTC when nil).
func DailyAt(hhmm string, loc *time.Location) (cron.Schedule, error) {
	h, m, err := ParseTimeOfDay(hhmm)
	if err != nil {
		return nil, err
	}
	return Cron(fmt.Sprintf("%d %d * * *", m, h), loc)
}

// ParseTimeOfDay reads "HH:MM" on a 24-hour clock.
func ParseTimeOfDay(s string) (hour, minute int, err error) {
	hs, ms, ok := strings.Cut(strings.TrimSpace(s), ":")
	if ok {
		hour, err = strconv.Atoi(hs)
	}
	if ok && err == nil {
		minute, err = strconv.Atoi(ms)
	}
	if !ok || err != nil || len(ms) != 2 || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, fmt.Errorf("time of day %q: want HH:MM, 00:00 to 23:59", s)
	}
	return hour, minute, nil
}

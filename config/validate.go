package config

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/schedule"
	"github.com/pravda-archive/pravda/seeds"
)

var groupName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// validate judges the decoded settings, recording problems in d.
func validate(c *Config, d *decoder) {
	if strings.TrimSpace(c.Data) == "" {
		d.at("data", "must name a directory")
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		d.at("listen", "want HOST:PORT such as 127.0.0.1:8080, got %q", c.Listen)
	}
	if strings.ContainsAny(c.MetricsToken, " \t\r\n") {
		d.at("metrics_token", "must not hold spaces or line breaks")
	}
	reg := seeds.Default()
	if c.Seeds != "" {
		r, err := seeds.Load(c.Seeds)
		if err != nil {
			d.at("seeds", "%v", err)
			reg = nil // site names cannot be judged
		} else {
			reg = r
		}
	}
	validateFetch(&c.Fetch, d)
	validatePoliteness(&c.Politeness, reg, d)
	validateSchedules(&c.Schedules, reg, d)
	if !oneOf(c.Log.Level, "debug", "info", "warn", "error") {
		d.at("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	if !oneOf(c.Log.Format, "text", "json", "auto") {
		d.at("log.format", "want text, json or auto, got %q", c.Log.Format)
	}
}

func validateFetch(f *Fetch, d *decoder) {
	for i, r := range f.Resolve {
		path := fmt.Sprintf("fetch.resolve[%d]", i)
		pat, addr, ok := strings.Cut(r, "=")
		if !ok || pat == "" || addr == "" {
			d.at(path, "want PATTERN=ADDR such as *=127.0.0.1:8443, got %q", r)
			continue
		}
		host := addr
		if h, _, err := net.SplitHostPort(addr); err == nil {
			host = h
		}
		if net.ParseIP(host) == nil {
			d.at(path, "address %q is neither IP nor IP:PORT", addr)
		}
	}
	if f.CA != "" {
		if st, err := os.Stat(f.CA); err != nil {
			d.at("fetch.ca", "%v", err)
		} else if st.IsDir() {
			d.at("fetch.ca", "%s is a directory, want a PEM file", f.CA)
		}
	}
	if strings.ContainsAny(f.UserAgent, "\r\n") {
		d.at("fetch.user_agent", "must be one line")
	}
	if f.MaxBody < 1<<10 || f.MaxBody > 1<<30 {
		d.at("fetch.max_body", "want 1KiB to 1GiB, got %s", f.MaxBody)
	}
	between(d, "fetch.workers", f.Workers, 1, 256)
	for path, v := range map[string]Duration{
		"fetch.timeouts.connect": f.Timeouts.Connect, "fetch.timeouts.tls": f.Timeouts.TLS,
		"fetch.timeouts.header": f.Timeouts.Header, "fetch.timeouts.body": f.Timeouts.Body,
	} {
		durBetween(d, path, v, time.Second, time.Hour)
	}
}

func validatePoliteness(p *Politeness, reg *seeds.Registry, d *decoder) {
	between(d, "politeness.per_host", p.PerHost, 1, 64)
	between(d, "politeness.per_ip", p.PerIP, 1, 256)
	durBetween(d, "politeness.delay", p.Delay, 0, 10*time.Minute)
	between(d, "politeness.retries", p.Retries, 0, 20)
	durBetween(d, "politeness.backoff", p.Backoff, time.Millisecond, 10*time.Minute)
	durBetween(d, "politeness.backoff_max", p.BackoffMax, time.Millisecond, time.Hour)
	if p.BackoffMax < p.Backoff {
		d.at("politeness.backoff_max", "%s is below backoff %s", p.BackoffMax, p.Backoff)
	}
	durBetween(d, "politeness.max_retry_after", p.MaxRetryAfter, time.Second, 24*time.Hour)
	for name, r := range p.Sites {
		path := "politeness.sites." + name
		if reg != nil {
			if _, ok := reg.Site(name); !ok {
				d.keyAt(path, "unknown site %q (see `pravda sites`)", name)
			}
		}
		if r.PerHost != nil {
			between(d, path+".per_host", *r.PerHost, 1, 64)
		}
		if r.PerIP != nil {
			between(d, path+".per_ip", *r.PerIP, 1, 256)
		}
		if r.Delay != nil {
			durBetween(d, path+".delay", *r.Delay, 0, 10*time.Minute)
		}
		if r.Retries != nil {
			between(d, path+".retries", *r.Retries, 0, 20)
		}
		if r.Backoff != nil {
			durBetween(d, path+".backoff", *r.Backoff, time.Millisecond, 10*time.Minute)
		}
	}
}

func validateSchedules(s *Schedules, reg *seeds.Registry, d *decoder) {
	zone, err := loadZone(s.Zone)
	if err != nil {
		d.at("schedules.zone", "%v", err)
		zone = time.UTC
	}
	between(d, "schedules.max_concurrent", s.MaxConcurrent, 1, 64)
	names := map[string]string{} // group name → its path
	owner := map[string]string{} // site → the group naming it
	catchAll := ""
	for i, g := range s.Crawl {
		path := fmt.Sprintf("schedules.crawl[%d]", i)
		switch {
		case !groupName.MatchString(g.Name):
			d.at(path+".name", "want a short lower-case name (a-z, 0-9, - and _), got %q", g.Name)
		case names[g.Name] != "":
			d.at(path+".name", "group %q is already defined at %s", g.Name, where(d, names[g.Name]))
		default:
			names[g.Name] = path + ".name"
		}
		if _, err := g.schedule(zone); err != nil {
			switch {
			case g.Cron != "":
				d.at(path+".cron", "%v", err)
			case g.Every > 0:
				d.at(path+".every", "%v", err)
			default:
				d.at(path, "%v", err)
			}
		} else if g.Every > 0 && time.Duration(g.Every) < time.Second {
			d.at(path+".every", "at least 1s")
		}
		if len(g.Sites) == 0 {
			if catchAll != "" {
				d.at(path+".sites", "only one group may leave sites empty (to take every other site); %s does too", catchAll)
			}
			catchAll = g.Name
		}
		for j, name := range g.Sites {
			sp := fmt.Sprintf("%s.sites[%d]", path, j)
			site := name
			if reg != nil {
				st, ok := reg.Site(name)
				if !ok {
					d.at(sp, "unknown site %q (see `pravda sites`)", name)
					continue
				}
				site = st.Name
			}
			if prev, dup := owner[site]; dup {
				d.at(sp, "site %q is already in group %q: a site belongs to one group, so its passes never overlap", name, prev)
				continue
			}
			owner[site] = g.Name
		}
	}
	between(d, "schedules.recheck.days", s.Recheck.Days, 0, 3660)
	if s.Recheck.Days > 0 {
		if _, err := schedule.Cron(s.Recheck.Cron, zone); err != nil {
			d.at("schedules.recheck.cron", "%v", err)
		}
	}
	r := s.Report
	if _, err := loadZone(r.Zone); err != nil {
		d.at("schedules.report.zone", "%v", err)
	}
	if r.Enabled {
		if _, _, err := schedule.ParseTimeOfDay(r.At); err != nil {
			d.at("schedules.report.at", "%v", err)
		}
	}
}

func where(d *decoder, path string) string {
	if p, ok := d.pos[path]; ok && p.Line > 0 {
		return fmt.Sprintf("line %d", p.Line)
	}
	return path
}

func between(d *decoder, path string, v, lo, hi int) {
	if v < lo || v > hi {
		d.at(path, "want %d to %d, got %d", lo, hi, v)
	}
}

func durBetween(d *decoder, path string, v Duration, lo, hi time.Duration) {
	if time.Duration(v) < lo || time.Duration(v) > hi {
		d.at(path, "want %s to %s, got %s", fmtDur(lo), fmtDur(hi), v)
	}
}

func fmtDur(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return d.String()
}

func oneOf(v string, opts ...string) bool {
	for _, o := range opts {
		if v == o {
			return true
		}
	}
	return false
}

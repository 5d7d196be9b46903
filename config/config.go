package config

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/pravda-archive/pravda/schedule"
	"github.com/pravda-archive/pravda/seeds"

	// Zones are named in the config (the daily report's); a machine without
	// /usr/share/zoneinfo must still know them.
	_ "time/tzdata"
)

// Config is every setting of the daemon. Default holds the defaults.
type Config struct {
	Data   string `yaml:"data"`   // data directory (warc/, catalog.db, index/, reports/)
	Listen string `yaml:"listen"` // HTTP address of the web UI, API, /metrics and /healthz
	Seeds  string `yaml:"seeds"`  // seeds registry file; "" means the embedded one
	// MetricsToken, when set, is required as "Authorization: Bearer TOKEN"
	// on /metrics.
	MetricsToken string     `yaml:"metrics_token"`
	Fetch        Fetch      `yaml:"fetch"`
	Politeness   Politeness `yaml:"politeness"`
	Schedules    Schedules  `yaml:"schedules"`
	Log          Log        `yaml:"log"`
}

// Fetch is how pages are requested.
type Fetch struct {
	// Resolve sends hosts matching a pattern to a fixed address, curl style:
	// "PATTERN=ADDR" ("*=127.0.0.1:8443" sends everything to a simulator).
	Resolve   []string `yaml:"resolve"`
	CA        string   `yaml:"ca"`         // extra CA certificate file to trust
	UserAgent string   `yaml:"user_agent"` // "" means the crawler's default, naming the project
	MaxBody   Size     `yaml:"max_body"`   // body cap per response, on the wire
	Workers   int      `yaml:"workers"`    // concurrent fetches per pass
	Timeouts  Timeouts `yaml:"timeouts"`
}

// Timeouts bound each stage of one request.
type Timeouts struct {
	Connect Duration `yaml:"connect"`
	TLS     Duration `yaml:"tls"`
	Header  Duration `yaml:"header"` // request sent → response headers read
	Body    Duration `yaml:"body"`   // the whole body
}

// Politeness is the limits kept towards each host and each IP.
type Politeness struct {
	PerHost       int      `yaml:"per_host"`
	PerIP         int      `yaml:"per_ip"`
	Delay         Duration `yaml:"delay"` // minimum gap between requests to one host
	Retries       int      `yaml:"retries"`
	Backoff       Duration `yaml:"backoff"` // first retry wait, doubled per attempt, jittered
	BackoffMax    Duration `yaml:"backoff_max"`
	MaxRetryAfter Duration `yaml:"max_retry_after"` // longest Retry-After obeyed
	// Sites overrides the limits for single sites, by site name.
	Sites map[string]SiteRules `yaml:"sites"`
}

// SiteRules overrides politeness for one site; unset fields keep the
// general value.
type SiteRules struct {
	PerHost *int      `yaml:"per_host"`
	PerIP   *int      `yaml:"per_ip"`
	Delay   *Duration `yaml:"delay"`
	Retries *int      `yaml:"retries"`
	Backoff *Duration `yaml:"backoff"`
	// Robots false stops honouring the site's robots.txt.
	Robots *bool `yaml:"robots"`
}

// Schedules is when the daemon works.
type Schedules struct {
	// Zone is the time zone cron lines are read in.
	Zone string `yaml:"zone"`
	// MaxConcurrent is how many crawl passes may run at once. Each pass
	// keeps its politeness limits only towards the hosts it crawls, and the
	// network's sites share a few IP addresses: 1 keeps per-IP limits true
	// across groups.
	MaxConcurrent int          `yaml:"max_concurrent"`
	Crawl         []CrawlGroup `yaml:"crawl"`
	Recheck       Recheck      `yaml:"recheck"`
	Report        Report       `yaml:"report"`
}

// CrawlGroup is a set of sites crawled together on one schedule. A group
// with no sites takes every active site that no other group names.
type CrawlGroup struct {
	Name  string   `yaml:"name"`
	Sites []string `yaml:"sites"`
	Every Duration `yaml:"every"` // either every…
	Cron  string   `yaml:"cron"`  // …or a crontab line, e.g. "*/15 * * * *"
}

// Recheck revisits recent articles to catch edits and deletions.
type Recheck struct {
	Days int    `yaml:"days"` // articles first seen in the last Days days; 0 turns rechecks off
	Cron string `yaml:"cron"`
}

// Report is the daily volume report, written under DATA/reports/ in every
// format, for the day before in Zone.
type Report struct {
	Enabled   bool   `yaml:"enabled"`
	At        string `yaml:"at"`         // HH:MM in Zone
	Zone      string `yaml:"zone"`       // whose calendar days are counted
	SiteLocal bool   `yaml:"site_local"` // count by each site's own calendar instead
}

// Log is the daemon's logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json, or auto (text on a terminal)
}

// Default is the config an empty file gives.
func Default() *Config {
	return &Config{
		Data:   "data",
		Listen: "127.0.0.1:8080",
		Fetch: Fetch{
			MaxBody: 16 << 20,
			Workers: 8,
			Timeouts: Timeouts{
				Connect: Duration(30 * time.Second),
				TLS:     Duration(15 * time.Second),
				Header:  Duration(30 * time.Second),
				Body:    Duration(2 * time.Minute),
			},
		},
		Politeness: Politeness{
			PerHost:       1,
			PerIP:         4,
			Delay:         Duration(500 * time.Millisecond),
			Retries:       4,
			Backoff:       Duration(time.Second),
			BackoffMax:    Duration(time.Minute),
			MaxRetryAfter: Duration(10 * time.Minute),
		},
		Schedules: Schedules{
			Zone:          "UTC",
			MaxConcurrent: 1,
			Recheck:       Recheck{Days: 3, Cron: "30 3 * * *"},
			Report:        Report{Enabled: true, At: "01:00", Zone: "UTC"},
		},
		Log: Log{Level: "info", Format: "auto"},
	}
}

// DefaultGroup is the crawl group used when the config names none.
var DefaultGroup = CrawlGroup{Name: "all", Every: Duration(15 * time.Minute)}

//go:embed example.yaml
var example string

// Example is a fully commented config file holding every key at its default
// value, with a few illustrative overrides.
func Example() string { return example }

// Registry loads the seeds registry the config names (the embedded one when
// Seeds is empty) and applies the per-site robots.txt switches to it.
func (c *Config) Registry() (*seeds.Registry, error) {
	var reg *seeds.Registry
	if c.Seeds == "" {
		reg = seeds.Default()
	} else {
		var err error
		if reg, err = seeds.Load(c.Seeds); err != nil {
			return nil, err
		}
	}
	for name, r := range c.Politeness.Sites {
		if r.Robots == nil {
			continue
		}
		s, ok := reg.Site(name)
		if !ok {
			return nil, fmt.Errorf("politeness.sites: unknown site %q", name)
		}
		on := *r.Robots
		s.Robots = &on
	}
	return reg, nil
}

// Group is a crawl group resolved against the registry.
type Group struct {
	Name  string
	Sites []*seeds.Site
	When  cron.Schedule
}

// Groups resolves the crawl groups: the site lists against reg (a group
// with none takes every active site left over) and the schedules.
func (c *Config) Groups(reg *seeds.Registry) ([]Group, error) {
	groups := c.Schedules.Crawl
	if len(groups) == 0 {
		groups = []CrawlGroup{DefaultGroup}
	}
	zone, err := loadZone(c.Schedules.Zone)
	if err != nil {
		return nil, fmt.Errorf("schedules.zone: %w", err)
	}
	named := map[string]bool{}
	for _, g := range groups {
		for _, s := range g.Sites {
			if site, ok := reg.Site(s); ok {
				named[site.Name] = true
			}
		}
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		when, err := g.schedule(zone)
		if err != nil {
			return nil, fmt.Errorf("crawl group %s: %w", g.Name, err)
		}
		var sites []*seeds.Site
		if len(g.Sites) == 0 {
			all, _ := reg.Select(nil)
			for _, s := range all {
				if !named[s.Name] {
					sites = append(sites, s)
				}
			}
		} else if sites, err = reg.Select(g.Sites); err != nil {
			return nil, fmt.Errorf("crawl group %s: %w", g.Name, err)
		}
		out = append(out, Group{Name: g.Name, Sites: sites, When: when})
	}
	return out, nil
}

func (g CrawlGroup) schedule(zone *time.Location) (cron.Schedule, error) {
	switch {
	case g.Every > 0 && g.Cron != "":
		return nil, fmt.Errorf("give every or cron, not both")
	case g.Every > 0:
		return schedule.Every(time.Duration(g.Every)), nil
	case g.Cron != "":
		return schedule.Cron(g.Cron, zone)
	}
	return nil, fmt.Errorf("give every (e.g. 15m) or cron (e.g. \"*/15 * * * *\")")
}

// RecheckSchedule is when rechecks run; nil when they are off.
func (c *Config) RecheckSchedule() (cron.Schedule, error) {
	if c.Schedules.Recheck.Days <= 0 {
		return nil, nil
	}
	zone, err := loadZone(c.Schedules.Zone)
	if err != nil {
		return nil, err
	}
	return schedule.Cron(c.Schedules.Recheck.Cron, zone)
}

// ReportSchedule is when the daily report is written, and the zone whose
// days it counts; a nil schedule when reports are off.
func (c *Config) ReportSchedule() (cron.Schedule, *time.Location, error) {
	r := c.Schedules.Report
	zone, err := loadZone(r.Zone)
	if err != nil {
		return nil, nil, err
	}
	if !r.Enabled {
		return nil, zone, nil
	}
	when, err := schedule.DailyAt(r.At, zone)
	return when, zone, err
}

// For is the politeness for one site: the general limits with the site's
// overrides applied. Robots is reported separately by Registry.
func (p Politeness) For(site string) Politeness {
	r, ok := p.Sites[site]
	out := p
	out.Sites = nil
	if !ok {
		return out
	}
	if r.PerHost != nil {
		out.PerHost = *r.PerHost
	}
	if r.PerIP != nil {
		out.PerIP = *r.PerIP
	}
	if r.Delay != nil {
		out.Delay = *r.Delay
	}
	if r.Retries != nil {
		out.Retries = *r.Retries
	}
	if r.Backoff != nil {
		out.Backoff = *r.Backoff
	}
	return out
}

func loadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "UTC") {
		return time.UTC, nil
	}
	if strings.EqualFold(name, "Local") {
		return nil, fmt.Errorf("zone %q: name the zone (e.g. Asia/Tokyo): Local differs between machines", name)
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (want an IANA name such as Asia/Tokyo)", name)
	}
	return z, nil
}

// Env lists the environment variables that override the file, with the
// setting each one replaces.
var Env = []struct{ Name, Key string }{
	{"PRAVDA_DATA", "data"},
	{"PRAVDA_LISTEN", "listen"},
	{"PRAVDA_METRICS_TOKEN", "metrics_token"},
	{"PRAVDA_LOG_LEVEL", "log.level"},
}

// applyEnv overrides settings from the environment and returns which keys it
// set, and from which variable.
func (c *Config) applyEnv(getenv func(string) string) map[string]string {
	set := map[string]string{}
	for _, e := range Env {
		v := getenv(e.Name)
		if v == "" {
			continue
		}
		set[e.Key] = e.Name
		switch e.Key {
		case "data":
			c.Data = v
		case "listen":
			c.Listen = v
		case "metrics_token":
			c.MetricsToken = v
		case "log.level":
			c.Log.Level = v
		}
	}
	return set
}

// Load reads, checks and returns the config at path, with the environment
// overrides applied. An empty path means the defaults. Every problem found
// is in the error, one per line as FILE:LINE:COL: message.
func Load(path string) (*Config, error) {
	c, probs := load(path, os.Getenv)
	if len(probs) > 0 {
		lines := make([]string, len(probs))
		for i, p := range probs {
			lines[i] = p.In(path)
		}
		return nil, fmt.Errorf("config %s:\n%s", orDefault(path), strings.Join(lines, "\n"))
	}
	return c, nil
}

// Check reads the config at path and reports every problem, in file order.
// Problems from environment overrides come first, with line 0.
func Check(path string) []Problem {
	_, probs := load(path, os.Getenv)
	return probs
}

func load(path string, getenv func(string) string) (*Config, []Problem) {
	c := Default()
	d := &decoder{pos: map[string]Pos{}}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, []Problem{{Msg: fmt.Sprintf("read config: %v", err)}}
		}
		if len(data) > maxFile {
			return nil, []Problem{{Msg: fmt.Sprintf("config is %d bytes, at most %d", len(data), maxFile)}}
		}
		d.decodeFile(data, c)
	}
	for key, name := range c.applyEnv(getenv) {
		d.pos[key] = Pos{Env: name}
	}
	validate(c, d)
	sortProblems(d.probs)
	d.probs = slices.Compact(d.probs)
	return c, d.probs
}

func orDefault(path string) string {
	if path == "" {
		return "(defaults)"
	}
	return path
}

// A config file is a few kilobytes; anything much larger is a mistake.
const maxFile = 1 << 20

// Validate checks a config built or changed in code (flags applied over a
// file, say) by the rules Check applies to a file; problems name the
// setting, without a line.
func (c *Config) Validate() error {
	d := &decoder{pos: map[string]Pos{}}
	validate(c, d)
	if len(d.probs) == 0 {
		return nil
	}
	lines := make([]string, len(d.probs))
	for i, p := range d.probs {
		lines[i] = p.Msg
	}
	return fmt.Errorf("config: %s", strings.Join(lines, "; "))
}

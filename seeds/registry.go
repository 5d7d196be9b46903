package seeds

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed sites.yaml
var defaultSites []byte

//go:embed origins.yaml
var defaultOrigins []byte

// Site is one network site. Its Name is the short handle used on the command line and in the
// catalog ("japan"); Host is where it lives now; Aliases are hosts it lived on before or that
// redirect to it.
type Site struct {
	Name    string   `yaml:"name" json:"name"`
	Host    string   `yaml:"host" json:"host"`
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Langs lists the site's languages, primary first. A second language is served as an
	// edition under a /xx/ path prefix (canada.news-pravda.com/fr/...).
	Langs   []string `yaml:"langs" json:"langs"`
	Kind    string   `yaml:"kind" json:"kind"` // hub, country, language, theme, legacy
	Country string   `yaml:"country,omitempty" json:"country,omitempty"`
	Theme   string   `yaml:"theme,omitempty" json:"theme,omitempty"`
	Display string   `yaml:"display" json:"display"`
	Status  string   `yaml:"status" json:"status"` // active, unconfirmed, legacy
	// Robots, when false, stops the crawler from honouring robots.txt for this site.
	Robots *bool `yaml:"robots,omitempty" json:"robots,omitempty"`
}

// Lang is the site's primary language.
func (s *Site) Lang() string {
	if len(s.Langs) == 0 {
		return ""
	}
	return s.Langs[0]
}

// HonoursRobots reports whether robots.txt applies to the site (the default).
func (s *Site) HonoursRobots() bool { return s.Robots == nil || *s.Robots }

// Family is an older ecosystem of sites with the network's URL scheme (dnr-news.ru,
// kazan-news.net, topnews.*.ua, …). Its hosts are recognised as network hosts, each one a
// site of its own, but none is crawled unless named explicitly.
type Family struct {
	Name     string   `yaml:"name" json:"name"`
	Patterns []string `yaml:"patterns" json:"patterns"` // "*-news.ru", "topnews.*.ua", exact hosts
	Exclude  []string `yaml:"exclude,omitempty" json:"exclude,omitempty"`
	Lang     string   `yaml:"lang" json:"lang"`
	Country  string   `yaml:"country,omitempty" json:"country,omitempty"`
}

// Outlet is an origin host: a state or state-aligned outlet, an official site, or a social
// platform.
type Outlet struct {
	ID       string   `yaml:"id" json:"id"`
	Name     string   `yaml:"name" json:"name"`
	Kind     string   `yaml:"kind" json:"kind"` // state_media, official, social
	Domains  []string `yaml:"domains" json:"domains"`
	Owner    string   `yaml:"owner,omitempty" json:"owner,omitempty"`
	Country  string   `yaml:"country,omitempty" json:"country,omitempty"`
	Platform string   `yaml:"platform,omitempty" json:"platform,omitempty"` // for social: telegram, vk, …
}

// Channel is a known Telegram channel, with who runs it where that is public.
type Channel struct {
	Name  string `yaml:"name" json:"name"`
	Title string `yaml:"title" json:"title"`
	Owner string `yaml:"owner,omitempty" json:"owner,omitempty"`
	Lang  string `yaml:"lang,omitempty" json:"lang,omitempty"`
}

// Registry is the loaded seeds. It is read-only after Load and safe for concurrent use.
type Registry struct {
	Sites    []*Site    `yaml:"sites" json:"sites"`
	Families []*Family  `yaml:"families" json:"families"`
	Outlets  []*Outlet  `yaml:"outlets" json:"outlets"`
	Channels []*Channel `yaml:"channels" json:"channels"`

	byHost    map[string]*Site
	byName    map[string]*Site
	outletDom map[string]*Outlet
	channels  map[string]*Channel
}

// Default returns the embedded registry. It panics only if the embedded files are broken,
// which the package's tests rule out.
func Default() *Registry {
	r, err := Parse(defaultSites, defaultOrigins)
	if err != nil {
		panic(fmt.Sprintf("seeds: embedded registry: %v", err))
	}
	return r
}

// Load reads a registry from a YAML file holding sites, families, outlets and channels
// (any of them may be left out, in which case the embedded defaults for that part are kept).
func Load(path string) (*Registry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load seeds: %w", err)
	}
	var probe map[string]any
	if err := yaml.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("load seeds %s: %w", path, err)
	}
	sites, origins := defaultSites, defaultOrigins
	if _, ok := probe["sites"]; ok {
		sites = data
	}
	if _, ok := probe["outlets"]; ok {
		origins = data
	}
	r, err := Parse(sites, origins)
	if err != nil {
		return nil, fmt.Errorf("load seeds %s: %w", path, err)
	}
	return r, nil
}

// Parse builds a registry from the YAML of sites (sites, families) and origins (outlets,
// channels), and checks it: no host claimed twice, every site with a host and a language.
func Parse(sitesYAML, originsYAML []byte) (*Registry, error) {
	var r, o Registry
	if err := yaml.Unmarshal(sitesYAML, &r); err != nil {
		return nil, fmt.Errorf("parse sites: %w", err)
	}
	if err := yaml.Unmarshal(originsYAML, &o); err != nil {
		return nil, fmt.Errorf("parse origins: %w", err)
	}
	r.Outlets, r.Channels = o.Outlets, o.Channels
	if err := r.build(); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *Registry) build() error {
	r.byHost = map[string]*Site{}
	r.byName = map[string]*Site{}
	r.outletDom = map[string]*Outlet{}
	r.channels = map[string]*Channel{}
	var errs []error
	for _, s := range r.Sites {
		s.Host = normHost(s.Host)
		if s.Name == "" || s.Host == "" {
			errs = append(errs, fmt.Errorf("site %q: name and host are required", s.Name+s.Host))
			continue
		}
		if strings.Contains(s.Name, "/") || strings.Contains(s.Name, ":") {
			errs = append(errs, fmt.Errorf("site %q: name may not contain / or :", s.Name))
		}
		if len(s.Langs) == 0 {
			errs = append(errs, fmt.Errorf("site %s: no language", s.Name))
		}
		if s.Display == "" {
			s.Display = s.Host
		}
		if s.Status == "" {
			s.Status = "active"
		}
		if _, dup := r.byName[s.Name]; dup {
			errs = append(errs, fmt.Errorf("site name %s: listed twice", s.Name))
		}
		r.byName[s.Name] = s
		for _, h := range append([]string{s.Host}, s.Aliases...) {
			h = normHost(h)
			if prev, dup := r.byHost[h]; dup {
				errs = append(errs, fmt.Errorf("host %s: claimed by %s and %s", h, prev.Name, s.Name))
				continue
			}
			r.byHost[h] = s
		}
		for i := range s.Aliases {
			s.Aliases[i] = normHost(s.Aliases[i])
		}
	}
	for _, f := range r.Families {
		if f.Lang == "" {
			errs = append(errs, fmt.Errorf("family %s: no language", f.Name))
		}
	}
	for _, o := range r.Outlets {
		if o.ID == "" || len(o.Domains) == 0 {
			errs = append(errs, fmt.Errorf("outlet %q: id and domains are required", o.ID))
		}
		for _, d := range o.Domains {
			d = normHost(d)
			if prev, dup := r.outletDom[d]; dup {
				errs = append(errs, fmt.Errorf("outlet domain %s: claimed by %s and %s", d, prev.ID, o.ID))
			}
			if s, clash := r.byHost[d]; clash {
				errs = append(errs, fmt.Errorf("outlet domain %s: also network site %s", d, s.Name))
			}
			r.outletDom[d] = o
		}
	}
	for _, c := range r.Channels {
		r.channels[strings.ToLower(c.Name)] = c
	}
	return errors.Join(errs...)
}

// normHost lower-cases a host and strips a port, a trailing dot and a leading "www.".
func normHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(h, ".")
	return strings.TrimPrefix(h, "www.")
}

// Site finds a site by name, host or alias ("japan", "japan.news-pravda.com",
// "pravda-jp.com"). Hosts of legacy families resolve to a site of their own.
func (r *Registry) Site(nameOrHost string) (*Site, bool) {
	if s, ok := r.byName[strings.ToLower(strings.TrimSpace(nameOrHost))]; ok {
		return s, true
	}
	return r.SiteByHost(nameOrHost)
}

// SiteByHost maps any host the network has used (current, alias, legacy family) to its site.
func (r *Registry) SiteByHost(host string) (*Site, bool) {
	h := normHost(host)
	if s, ok := r.byHost[h]; ok {
		return s, true
	}
	if f := r.family(h); f != nil {
		return &Site{Name: h, Host: h, Langs: []string{f.Lang}, Kind: "legacy", Country: f.Country,
			Display: h, Status: "legacy"}, true
	}
	return nil, false
}

func (r *Registry) family(h string) *Family {
	for _, f := range r.Families {
		excluded := false
		for _, x := range f.Exclude {
			if matchHost(x, h) {
				excluded = true
			}
		}
		if excluded {
			continue
		}
		for _, p := range f.Patterns {
			if matchHost(p, h) {
				return f
			}
		}
	}
	return nil
}

// matchHost matches a host against a pattern whose "*" stands for one or more characters
// within a single DNS label ("*-news.ru", "topnews.*.ua").
func matchHost(pattern, host string) bool {
	pl, hl := strings.Split(pattern, "."), strings.Split(host, ".")
	if len(pl) != len(hl) {
		return false
	}
	for i := range pl {
		if !matchLabel(pl[i], hl[i]) {
			return false
		}
	}
	return true
}

func matchLabel(p, l string) bool {
	star := strings.IndexByte(p, '*')
	if star < 0 {
		return p == l
	}
	pre, suf := p[:star], p[star+1:]
	return len(l) > len(pre)+len(suf) && strings.HasPrefix(l, pre) && strings.HasSuffix(l, suf)
}

// Select resolves a --sites list (names or hosts, comma-separated items allowed). An empty
// list selects every active site.
func (r *Registry) Select(list []string) ([]*Site, error) {
	var out []*Site
	seen := map[string]bool{}
	var unknown []string
	for _, item := range list {
		for _, n := range strings.Split(item, ",") {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			s, ok := r.Site(n)
			if !ok {
				unknown = append(unknown, n)
				continue
			}
			if !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s)
			}
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown site(s): %s (see `pravda sites`)", strings.Join(unknown, ", "))
	}
	if len(out) == 0 && len(list) == 0 {
		for _, s := range r.Sites {
			if s.Status == "active" {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// Outlet finds the origin outlet or platform that owns a host (subdomains included:
// "fr.sputniknews.africa", "www.tass.ru").
func (r *Registry) Outlet(host string) (*Outlet, bool) {
	h := normHost(host)
	for {
		if o, ok := r.outletDom[h]; ok {
			return o, true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			return nil, false
		}
		h = h[i+1:]
	}
}

// OutletByID finds an outlet by its registry id.
func (r *Registry) OutletByID(id string) (*Outlet, bool) {
	for _, o := range r.Outlets {
		if o.ID == id {
			return o, true
		}
	}
	return nil, false
}

// Channel finds a known Telegram channel by name, case-insensitively.
func (r *Registry) Channel(name string) (*Channel, bool) {
	c, ok := r.channels[strings.ToLower(name)]
	return c, ok
}

// InScope reports whether the crawler may request host: a network host (site, alias or
// legacy family) or a registered origin host.
func (r *Registry) InScope(host string) bool {
	if _, ok := r.SiteByHost(host); ok {
		return true
	}
	_, ok := r.Outlet(host)
	return ok
}

// Hosts lists every explicit host the registry names (sites, aliases, outlet domains), sorted.
func (r *Registry) Hosts() []string {
	var hs []string
	for h := range r.byHost {
		hs = append(hs, h)
	}
	for d := range r.outletDom {
		hs = append(hs, d)
	}
	sort.Strings(hs)
	return hs
}

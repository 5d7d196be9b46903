package sim

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pravda-archive/pravda/seeds"
)

// Network is a simulated network: its generated world, its servers' behaviour and its
// request log. It is safe for concurrent use.
type Network struct {
	cfg    Config
	reg    *seeds.Registry
	log    *slog.Logger
	faults fault

	mu sync.RWMutex // guards w's slices and maps; per-article state is atomic
	w  *world

	ca    *authority
	stats *stats
	live  atomic.Bool // a live ticker is running
}

// New generates the world described by cfg. The same Seed, Config and clock reading give
// the same world, byte for byte (WriteTruth).
func New(cfg Config) (*Network, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	f, err := parseFaults(cfg.Faults)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	sites, err := cfg.Registry.Select(cfg.Sites)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	for _, s := range sites {
		if s.Kind == "legacy" {
			return nil, fmt.Errorf("sim: %s belongs to an older ecosystem; only registry sites are simulated", s.Name)
		}
	}
	w, err := newWorld(cfg, sites, f)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	ca, err := newAuthority()
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	n := &Network{cfg: cfg, reg: cfg.Registry, log: cfg.Logger, faults: f, w: w, ca: ca, stats: newStats()}
	n.log.Info("simulated network generated", "seed", cfg.Seed, "sites", len(sites),
		"articles", len(w.articles), "stories", len(w.stories), "faults", strings.Join(f.names(), ","))
	return n, nil
}

// CA is the PEM certificate of the authority that signs the simulator's per-host
// certificates; clients add it to their roots.
func (n *Network) CA() (certPEM []byte) { return append([]byte(nil), n.ca.certPEM...) }

// TLSConfig is the server side: a certificate for whatever name the client sends in SNI,
// HTTP/1.1 only (so that connection faults can hijack).
func (n *Network) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"http/1.1"},
		GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) { return n.ca.leaf(h.ServerName) },
	}
}

// Publish makes k new stories now (each on 2–4 sites) and returns their articles' truth.
func (n *Network) Publish(k int) []Truth {
	now := n.cfg.Now()
	n.mu.Lock()
	var arts []*article
	for range k {
		arts = append(arts, n.w.publish(now)...)
	}
	n.mu.Unlock()
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make([]Truth, 0, len(arts))
	for _, a := range arts {
		out = append(out, n.w.truth(a))
	}
	if len(arts) > 0 {
		n.log.Debug("published", "stories", k, "articles", len(arts))
	}
	return out
}

// Sites lists the simulated sites' names, in the order of Config.Sites.
func (n *Network) Sites() []string {
	var out []string
	for _, s := range n.w.sites {
		out = append(out, s.site.Name)
	}
	return out
}

// Hosts lists every host name the simulator answers for with content or a redirect: the
// simulated sites' current hosts and aliases, t.me and the outlets' hosts that stories use.
func (n *Network) Hosts() []string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	seen := map[string]bool{"t.me": true}
	out := []string{"t.me"}
	add := func(h string) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	for _, s := range n.w.sites {
		add(s.site.Host)
		for _, a := range s.site.Aliases {
			add(a)
		}
	}
	for _, s := range n.w.stories {
		if s.page != nil {
			add(hostOfURL(s.page.url))
		}
	}
	return out
}

// normHost lower-cases a host and strips a port, a trailing dot and a leading "www." — as the
// registry does, so that a Host header maps to the same site the registry names.
func normHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(h, ".")
	return strings.TrimPrefix(h, "www.")
}

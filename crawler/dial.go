package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"
)

// ErrPrivateAddress is returned when a host resolves to a loopback, private or link-local
// address that no --resolve rule named: a hostile page must not steer the crawler inward.
var ErrPrivateAddress = errors.New("refusing private or loopback address")

// Resolve is one curl-style override: connections for hosts matching Pattern go to Addr.
// Pattern is a host ("japan.news-pravda.com"), a host:port, or "*" for every host; Addr is
// "ip:port" or "ip" (keeping the URL's port).
type Resolve struct {
	Pattern string
	Addr    string
}

// ParseResolve reads "PATTERN=ADDR" as given to --resolve.
func ParseResolve(s string) (Resolve, error) {
	pat, addr, ok := strings.Cut(s, "=")
	if !ok || pat == "" || addr == "" {
		return Resolve{}, fmt.Errorf("--resolve %q: want PATTERN=ADDR, e.g. *=127.0.0.1:8443", s)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		if net.ParseIP(addr) == nil {
			return Resolve{}, fmt.Errorf("--resolve %q: address %q is neither ip nor ip:port", s, addr)
		}
	}
	return Resolve{Pattern: strings.ToLower(pat), Addr: addr}, nil
}

func (r Resolve) match(host, port string) (string, bool) {
	p := r.Pattern
	switch {
	case p == "*":
	case strings.Contains(p, ":") && !strings.HasPrefix(p, "["):
		if p != host+":"+port {
			return "", false
		}
	case strings.HasPrefix(p, "*."):
		if !strings.HasSuffix(host, p[1:]) {
			return "", false
		}
	default:
		if p != host {
			return "", false
		}
	}
	if _, _, err := net.SplitHostPort(r.Addr); err == nil {
		return r.Addr, true
	}
	return net.JoinHostPort(r.Addr, port), true
}

// Dialer opens the crawler's connections: it applies the resolve map, prefers IPv4 (some
// network hosts hang on IPv6), refuses private addresses that were not asked for, and
// remembers which IP each host resolved to so politeness can hold per IP.
type Dialer struct {
	Resolves     []Resolve
	AllowPrivate bool
	Timeout      time.Duration
	Resolver     *net.Resolver

	mu  sync.Mutex
	ips map[string]string // host → ip it last resolved to
}

// Target returns where a connection for host:port will go, without dialing.
func (d *Dialer) Target(ctx context.Context, host, port string) (addrs []string, explicit bool, err error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, r := range d.Resolves {
		if a, ok := r.match(host, port); ok {
			return []string{a}, true, nil
		}
	}
	res := d.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	ips, err := res.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, false, fmt.Errorf("resolve %s: %w", host, err)
	}
	var v4, v6 []string
	for _, ip := range ips {
		ip = ip.Unmap()
		if !d.AllowPrivate && isPrivate(ip) {
			return nil, false, fmt.Errorf("%s resolves to %s: %w", host, ip, ErrPrivateAddress)
		}
		if ip.Is4() {
			v4 = append(v4, net.JoinHostPort(ip.String(), port))
		} else {
			v6 = append(v6, net.JoinHostPort(ip.String(), port))
		}
	}
	return append(v4, v6...), false, nil
}

func isPrivate(ip netip.Addr) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast()
}

// DialContext is an http.Transport-compatible dialer.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	targets, _, err := d.Target(ctx, host, port)
	if err != nil {
		return nil, err
	}
	timeout := d.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	nd := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	var errs []error
	for _, t := range targets {
		c, err := nd.DialContext(ctx, "tcp", t)
		if err == nil {
			d.remember(host, c.RemoteAddr())
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("dial %s: %w", addr, errors.Join(errs...))
}

func (d *Dialer) remember(host string, a net.Addr) {
	ip := a.String()
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	d.mu.Lock()
	if d.ips == nil {
		d.ips = map[string]string{}
	}
	d.ips[strings.ToLower(host)] = ip
	d.mu.Unlock()
}

// IPKey names the politeness bucket shared by every host on one address. Before the first
// connection it is the resolve target or the first looked-up address.
func (d *Dialer) IPKey(ctx context.Context, host, port string) string {
	host = strings.ToLower(host)
	d.mu.Lock()
	ip, ok := d.ips[host]
	d.mu.Unlock()
	if ok {
		return ip
	}
	targets, _, err := d.Target(ctx, host, port)
	if err != nil || len(targets) == 0 {
		return host
	}
	if h, _, err := net.SplitHostPort(targets[0]); err == nil {
		return h
	}
	return targets[0]
}

// TLSConfig builds the client TLS configuration: the system roots plus, when given, a CA
// file (the simulator writes one).
func TLSConfig(caFile string) (*tls.Config, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read --ca: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate in it", caFile)
		}
	}
	// Session resumption spares a full handshake on every new connection to a host, and
	// classic curves spare the post-quantum key share (a third of a handshake's CPU): an
	// archiver of public pages has no secrets for a future quantum computer to read.
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, ClientSessionCache: tls.NewLRUClientSessionCache(512),
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}}, nil
}

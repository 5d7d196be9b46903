package crawler

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsAgent is the token robots.txt groups are matched against.
const robotsAgent = "pravda-archive"

// robotsCache fetches each host's robots.txt once per crawl pass. colly can honour robots.txt
// too, but it ignores Crawl-delay and cannot be switched per site.
type robotsCache struct {
	client  *http.Client
	applies func(host string) bool // false where a site's robots switch is off
	maxSize int64

	mu     sync.Mutex
	hosts  map[string]*robotsEntry
	delays map[string]time.Duration // host → Crawl-delay, set once its robots.txt is read
}

type robotsEntry struct {
	once sync.Once
	data *robotstxt.RobotsData
	err  error
}

func (c *robotsCache) entry(ctx context.Context, u *url.URL) *robotsEntry {
	c.mu.Lock()
	if c.hosts == nil {
		c.hosts = map[string]*robotsEntry{}
	}
	key := u.Scheme + "://" + u.Host
	e, ok := c.hosts[key]
	if !ok {
		e = &robotsEntry{}
		c.hosts[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.data, e.err = c.fetch(ctx, key+"/robots.txt")
		if e.data == nil {
			return
		}
		if g := e.data.FindGroup(robotsAgent); g != nil && g.CrawlDelay > 0 {
			c.mu.Lock()
			if c.delays == nil {
				c.delays = map[string]time.Duration{}
			}
			if g.CrawlDelay > c.delays[u.Hostname()] {
				c.delays[u.Hostname()] = g.CrawlDelay
			}
			c.mu.Unlock()
		}
	})
	return e
}

func (c *robotsCache) fetch(ctx context.Context, u string) (*robotstxt.RobotsData, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// RFC 9309 §2.3.1.4: an unreachable robots.txt means full disallow. Say why, so
		// that a DNS or network failure does not read as the site's own refusal.
		return nil, fmt.Errorf("robots.txt unreachable, nothing fetched from the host: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxSize))
	if err != nil {
		return robotstxt.FromStatusAndBytes(http.StatusServiceUnavailable, nil)
	}
	data, err := robotstxt.FromStatusAndBytes(resp.StatusCode, body)
	if err != nil {
		// A robots.txt we cannot parse restricts nothing (what major crawlers do).
		return robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	}
	return data, nil
}

func (c *robotsCache) allowed(ctx context.Context, u *url.URL) (bool, error) {
	if c.applies != nil && !c.applies(u.Hostname()) {
		return true, nil
	}
	e := c.entry(ctx, u)
	if e.err != nil {
		return false, fmt.Errorf("robots %s: %w", u.Host, e.err)
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return e.data.TestAgent(p, robotsAgent), nil
}

// crawlDelay is the host's Crawl-delay for our agent, zero when unknown or not yet fetched.
func (c *robotsCache) crawlDelay(host string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.delays[host]
}

// sitemaps lists the Sitemap: lines of a host's robots.txt (fetching it if needed).
func (c *robotsCache) sitemaps(ctx context.Context, base *url.URL) []string {
	e := c.entry(ctx, base)
	if e.data == nil {
		return nil
	}
	return e.data.Sitemaps
}

package extract

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pravda-archive/pravda/seeds"
)

// defaultRegistry is seeds.Default, parsed once: callers may pass a nil registry.
var defaultRegistry = sync.OnceValue(seeds.Default)

// identity is who an article is on the network: the outcome of reading its canonical link
// and its URL with the network's URL grammar.
type identity struct {
	site     *seeds.Site // nil when neither URL is a network article
	url      seeds.ArticleURL
	canon    string // the canonical link, absolute, as the page gave it
	pageAMP  bool   // the page URL is an AMP article URL
	warnings []string
}

// identify resolves (site, id) from <link rel=canonical> when it follows the network
// grammar (so an AMP copy or a page fetched from a legacy host maps to the same article),
// else from the page URL.
func identify(s *docScan, pageURL string, b *url.URL, reg *seeds.Registry) identity {
	var id identity
	raw := canonical(s)
	id.canon = resolve(b, raw)
	var (
		cs   *seeds.Site
		cu   seeds.ArticleURL
		cerr error
	)
	if id.canon != "" {
		if cs, cu, cerr = reg.Article(id.canon); cerr == nil {
			id.site, id.url = cs, cu
		}
	}
	// A regular page's canonical link is the URL it was fetched from: one reading serves.
	ps, pu, perr := cs, cu, cerr
	if id.canon == "" || id.canon != pageURL {
		ps, pu, perr = reg.Article(pageURL)
	}
	if perr == nil {
		id.pageAMP = pu.AMP
	} else if au, err := seeds.ParseArticleURL(pageURL); err == nil {
		id.pageAMP = au.AMP // off the network, but in the article grammar
	}
	switch {
	case id.site != nil:
		if perr == nil && pu.Key() != id.url.Key() {
			id.warn("identity: canonical %s and page URL name different articles (%s, %s)",
				id.canon, id.url.Key(), pu.Key())
		}
	case perr == nil:
		id.site, id.url = ps, pu
		if strings.TrimSpace(raw) == "" {
			id.warn("canonical: missing; identity from the page URL")
		} else {
			id.warn("canonical: %q is not a network article URL; identity from the page URL", clip(raw))
		}
	default:
		id.warn("identity: neither the canonical link nor the page URL is a network article URL")
	}
	return id
}

func (id *identity) warn(format string, args ...any) {
	id.warnings = append(id.warnings, fmt.Sprintf(format, args...))
}

// apply fills the identity fields of a. Off the network it keeps what the page says.
func (id identity) apply(a *Article, reg *seeds.Registry) {
	if id.site != nil {
		a.Site = id.url.SiteKey()
		a.ID = id.url.ID
		a.CanonicalURL = seeds.CanonicalURL(id.site, id.url)
		a.Lang = seeds.EditionLang(id.site, id.url)
		a.CategoryPath = id.url.Category
		if c, err := url.PathUnescape(id.url.Category); err == nil {
			a.CategoryPath = c
		}
		return
	}
	a.CanonicalURL = id.canon
	if a.CanonicalURL == "" {
		a.CanonicalURL = resolve(nil, a.URL)
	}
	if u, err := url.Parse(a.CanonicalURL); err == nil {
		if s, ok := reg.SiteByHost(u.Hostname()); ok {
			a.Site, a.Lang = s.Name, s.Lang()
		}
	}
}

// day is the publication date the article URL carries, or zero.
func (id identity) day() time.Time {
	if id.site == nil {
		return time.Time{}
	}
	return urlDay(id.url.Date)
}

// display is the site's display name, the suffix of its page titles.
func (id identity) display() string {
	if id.site == nil {
		return ""
	}
	return id.site.Display
}

// clip shortens hostile values quoted in warnings.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

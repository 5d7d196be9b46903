package seeds

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrNotNetwork is returned for a URL whose host is not a network host or whose path does
// not follow the network's grammar.
var ErrNotNetwork = errors.New("not a network URL")

// articlePath is the network's article grammar: /{lang2/}?{category}/{YYYY}/{MM}/{DD}/{id}{-amp}?.html
var articlePath = regexp.MustCompile(`^/(?:([a-z]{2})/)?([^/]+)/(\d{4})/(\d{2})/(\d{2})/(\d+)(-amp)?\.html$`)

// imagePath is /img/YYYYMMDD/<md5>[_o].ext; the md5 names one image across all editions.
var imagePath = regexp.MustCompile(`^/img/(\d{8})/([0-9a-f]{32})(_o)?\.(?i:jpe?g|png|webp|gif)$`)

// ArticleURL is an article URL taken apart. Site and Edition together name the sequence the
// id belongs to; Host is where the URL pointed, which may be an alias.
type ArticleURL struct {
	Host     string    `json:"host"`
	Site     string    `json:"site,omitempty"`
	Edition  string    `json:"edition,omitempty"` // "en" for a /en/ translated edition, "" for the primary
	Category string    `json:"category"`          // as in the path (may be percent-encoded)
	Date     time.Time `json:"date"`              // publication date (UTC midnight)
	ID       int64     `json:"id"`
	AMP      bool      `json:"amp,omitempty"`
}

// Key is the article's identity: "site:id", or "site/edition:id" for a translated edition.
func (a ArticleURL) Key() string { return a.SiteKey() + ":" + strconv.FormatInt(a.ID, 10) }

// SiteKey is the id sequence the article belongs to: the site, or "site/edition".
func (a ArticleURL) SiteKey() string {
	if a.Edition != "" {
		return a.Site + "/" + a.Edition
	}
	return a.Site
}

// Path is the article's canonical path (no AMP suffix).
func (a ArticleURL) Path() string {
	p := "/"
	if a.Edition != "" {
		p += a.Edition + "/"
	}
	return p + fmt.Sprintf("%s/%s/%d.html", a.Category, a.Date.Format("2006/01/02"), a.ID)
}

// ParseArticleURL applies the article grammar to a URL without consulting the registry:
// Site is left empty. It accepts http and https and any host.
func ParseArticleURL(raw string) (ArticleURL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ArticleURL{}, fmt.Errorf("parse %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ArticleURL{}, fmt.Errorf("%q: %w", raw, ErrNotNetwork)
	}
	// Links in the wild carry stray trailing slashes and punctuation ("….html/", "….html,").
	path := strings.TrimRight(u.EscapedPath(), "/,.;)|")
	if strings.HasSuffix(u.EscapedPath(), ".html") {
		path = u.EscapedPath()
	}
	m := articlePath.FindStringSubmatch(path)
	if m == nil {
		return ArticleURL{}, fmt.Errorf("%q: path does not follow the article grammar: %w", raw, ErrNotNetwork)
	}
	d, err := time.Parse("2006/01/02", m[3]+"/"+m[4]+"/"+m[5])
	if err != nil {
		return ArticleURL{}, fmt.Errorf("%q: bad date: %w", raw, ErrNotNetwork)
	}
	id, err := strconv.ParseInt(m[6], 10, 64)
	if err != nil || id <= 0 {
		return ArticleURL{}, fmt.Errorf("%q: bad id: %w", raw, ErrNotNetwork)
	}
	return ArticleURL{Host: normHost(u.Host), Edition: m[1], Category: m[2], Date: d, ID: id, AMP: m[7] != ""}, nil
}

// Article parses a network article URL and resolves its host (alias or not) to a site.
func (r *Registry) Article(raw string) (*Site, ArticleURL, error) {
	a, err := ParseArticleURL(raw)
	if err != nil {
		return nil, a, err
	}
	s, ok := r.SiteByHost(a.Host)
	if !ok {
		return nil, a, fmt.Errorf("%q: host %s: %w", raw, a.Host, ErrNotNetwork)
	}
	a.Site = s.Name
	return s, a, nil
}

// Canonical gives the URL an article is known by: the site's current host, https, no AMP
// suffix, no query.
func (r *Registry) Canonical(raw string) (string, error) {
	s, a, err := r.Article(raw)
	if err != nil {
		return "", err
	}
	return CanonicalURL(s, a), nil
}

// CanonicalURL builds the canonical URL of a parsed article on its site.
func CanonicalURL(s *Site, a ArticleURL) string { return "https://" + s.Host + a.Path() }

// EditionLang is the language of the article's edition on its site.
func EditionLang(s *Site, a ArticleURL) string {
	if a.Edition != "" {
		return a.Edition
	}
	return s.Lang()
}

// ImageURL is a network image URL taken apart.
type ImageURL struct {
	Host     string    `json:"host"`
	Date     time.Time `json:"date"`
	MD5      string    `json:"md5"`
	Original bool      `json:"original,omitempty"` // the _o (full-size) variant
}

// ParseImageURL applies the image grammar /img/YYYYMMDD/<md5>[_o].jpg.
func ParseImageURL(raw string) (ImageURL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ImageURL{}, fmt.Errorf("parse %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ImageURL{}, fmt.Errorf("%q: %w", raw, ErrNotNetwork)
	}
	m := imagePath.FindStringSubmatch(u.EscapedPath())
	if m == nil {
		return ImageURL{}, fmt.Errorf("%q: not a network image path: %w", raw, ErrNotNetwork)
	}
	d, err := time.Parse("20060102", m[1])
	if err != nil {
		return ImageURL{}, fmt.Errorf("%q: bad date: %w", raw, ErrNotNetwork)
	}
	return ImageURL{Host: normHost(u.Host), Date: d, MD5: m[2], Original: m[3] != ""}, nil
}

// ParseKey reads "site:id" or "site/edition:id" as printed by ArticleURL.Key.
func ParseKey(key string) (siteKey string, id int64, err error) {
	i := strings.LastIndexByte(key, ':')
	if i <= 0 {
		return "", 0, fmt.Errorf("article key %q: want SITE:ID", key)
	}
	id, err = strconv.ParseInt(key[i+1:], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, fmt.Errorf("article key %q: bad id", key)
	}
	return key[:i], id, nil
}

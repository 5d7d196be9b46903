package extract

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Template names the extractor that produced an Article.
const (
	TemplateNetwork = "network" // the network's CMS template (Page)
	TemplateGeneric = "generic" // the readability fallback (Generic)
)

// Article is the record extracted from one fetched page. Its JSON form is what the CLI
// prints and what the catalog stores; the field names are a contract.
type Article struct {
	URL          string `json:"url"`           // the URL the page was fetched from
	CanonicalURL string `json:"canonical_url"` // the site's current host, no AMP suffix
	Site         string `json:"site"`          // site key: "japan", "canada/fr"; "" off the network
	ID           int64  `json:"id"`            // per-site article id; 0 off the network
	Lang         string `json:"lang"`
	Category     string `json:"category"`      // breadcrumb label as shown ("世界")
	CategoryPath string `json:"category_path"` // category segment of the URL ("world")
	Title        string `json:"title"`
	// Published keeps the zone the page gave (or Moscow time when it gave none); it is
	// zero, and null in JSON, when no date could be found at all.
	Published     time.Time   `json:"published"`
	Text          string      `json:"text"` // paragraphs joined by "\n\n", NFC
	OGTitle       string      `json:"og_title"`
	OGDescription string      `json:"og_description"`
	Alternates    []Alternate `json:"alternates"`
	Images        []Image     `json:"images"`
	Source        *Source     `json:"source"` // nil when the page credits nobody
	Links         []string    `json:"links"`  // absolute http(s) hrefs inside the body
	AMP           bool        `json:"amp"`
	// BodyHash is the version key: hex sha256 of Title, "\n\n", Text. Cosmetic changes to
	// the markup (whitespace, AMP vs regular copy) leave it unchanged.
	BodyHash string   `json:"body_hash"`
	Template string   `json:"template"`
	Warnings []string `json:"warnings"`
}

// Alternate is a hreflang link to the same story in another language edition.
type Alternate struct {
	Lang string `json:"lang"`
	URL  string `json:"url"`
}

// Image is an image of the article. MD5 is the network image name (/img/YYYYMMDD/<md5>.jpg),
// which recurs across the language editions of one story; it is "" for other images.
type Image struct {
	URL string `json:"url"`
	MD5 string `json:"md5"`
}

// Source is the page's credit: the name it shows and the URL it links to (either may be
// empty when the page gives only one).
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// MarshalJSON writes an unknown publication time as null rather than year 1, and empty
// lists as [] so that every record has the same shape.
func (a Article) MarshalJSON() ([]byte, error) {
	type plain Article
	p := plain(a)
	p.Alternates = nonNil(p.Alternates)
	p.Images = nonNil(p.Images)
	p.Links = nonNil(p.Links)
	p.Warnings = nonNil(p.Warnings)
	b, err := json.Marshal(p)
	if err != nil || !a.Published.IsZero() {
		return b, err
	}
	// The zero time's encoding, quotes unescaped, cannot occur inside a string value, so
	// this replaces the field and nothing else while keeping the field order.
	return bytes.Replace(b, []byte(`"published":"0001-01-01T00:00:00Z"`), []byte(`"published":null`), 1), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// bodyHash is the version key of a title and body text.
func bodyHash(title, text string) string {
	// One copy of the text, where a hash.Hash took a copy of each part besides itself.
	b := make([]byte, 0, len(title)+2+len(text))
	b = append(append(append(b, title...), "\n\n"...), text...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (a *Article) warn(format string, args ...any) {
	a.Warnings = append(a.Warnings, fmt.Sprintf(format, args...))
}

package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Truth is one article edition as the simulator knows it. Only the fields evaluation
// reads are kept; unknown fields are ignored.
type Truth struct {
	Key          string `json:"key"` // "site:id", as the catalog keys articles
	Site         string `json:"site"`
	URL          string `json:"url"`
	CanonicalURL string `json:"canonical_url"`
	Lang         string `json:"lang"`
	Story        string `json:"story"`
	Credited     bool   `json:"credited"`
	CreditURL    string `json:"credit_url"`
	CreditKind   string `json:"credit_kind"` // telegram_post, state_media, network, none
	Origin       Root   `json:"origin"`
	// Evidence: an uncredited edition shares an image, an alternate or its text with a
	// credited edition, so a tracer can honestly attribute it.
	Evidence   bool `json:"evidence"`
	Disallowed bool `json:"disallowed"`
	Deleted    bool `json:"deleted"`
}

// Root is a story's true root origin.
type Root struct {
	Kind    string    `json:"kind"` // telegram_post or state_media
	Channel string    `json:"channel,omitempty"`
	Post    int64     `json:"post,omitempty"`
	Outlet  string    `json:"outlet,omitempty"`
	URL     string    `json:"url"`
	Time    time.Time `json:"time"`
}

// maxTruthLine caps one line of the truth file (an article's text is in it).
const maxTruthLine = 16 << 20

// ReadTruth reads JSON lines. Blank lines are skipped; a malformed line is an error that
// names it.
func ReadTruth(r io.Reader) ([]Truth, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxTruthLine)
	var out []Truth
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var t Truth
		if err := json.Unmarshal(line, &t); err != nil {
			return nil, fmt.Errorf("truth line %d: %w", n, err)
		}
		if t.Key == "" {
			return nil, fmt.Errorf("truth line %d: no key", n)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read truth: %w", err)
	}
	return out, nil
}

package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Truth is what is really known about one article edition: where it came from, how it
// credits that, which story it belongs to, and which faults it carries. One JSON line each.
type Truth struct {
	Key             string    `json:"key"`
	Site            string    `json:"site"`
	Edition         string    `json:"edition"`
	ID              int64     `json:"id"`
	URL             string    `json:"url"`
	CanonicalURL    string    `json:"canonical_url"`
	Lang            string    `json:"lang"` // the edition's declared language
	Published       time.Time `json:"published"`
	Category        string    `json:"category"`       // the URL's category slug
	CategoryLabel   string    `json:"category_label"` // the breadcrumb text
	Title           string    `json:"title"`
	Story           string    `json:"story"`
	Credited        bool      `json:"credited"`
	CreditURL       string    `json:"credit_url"`
	CreditKind      string    `json:"credit_kind"` // telegram_post, state_media, network, none
	CreditText      string    `json:"credit_text,omitempty"`
	Origin          Origin    `json:"origin"`
	Chain           []string  `json:"chain"` // the credit URLs as printed on each page followed, then the root
	Evidence        bool      `json:"evidence"`
	NearDuplicateOf *string   `json:"near_duplicate_of"`
	Edited          bool      `json:"edited"`
	Deleted         bool      `json:"deleted"`
	Disallowed      bool      `json:"disallowed"`
	LangFallback    bool      `json:"lang_fallback"` // the text is English, not Lang
	Images          []string  `json:"images"`
	Alternates      []string  `json:"alternates"` // hreflang URLs the page links
	Text            string    `json:"text"`       // the clean body: paragraphs joined by "\n\n"
	TitleV2         string    `json:"title_v2,omitempty"`
	TextV2          string    `json:"text_v2,omitempty"`
	Gone            int       `json:"gone,omitempty"`   // status once deleted (404 or 410)
	Faults          []string  `json:"faults,omitempty"` // content faults on this page
}

// Origin is a story's root: a Telegram post or a state-outlet article.
type Origin struct {
	Kind    string    `json:"kind"` // telegram_post or state_media
	Channel string    `json:"channel,omitempty"`
	Post    int64     `json:"post,omitempty"`
	Outlet  string    `json:"outlet,omitempty"`
	URL     string    `json:"url"`
	Time    time.Time `json:"time"`
}

func postURL(p *post) string { return "https://t.me/" + p.ch.name + "/" + strconv.FormatInt(p.id, 10) }

func (w *world) creditURL(a *article) string {
	switch a.credit {
	case creditDirect:
		if a.story.credited != nil {
			return postURL(a.story.credited)
		}
		return a.story.page.url
	case creditNetwork:
		host := a.target.host()
		if a.aliasHost != "" {
			host = a.aliasHost
		}
		return "https://" + host + a.target.path(false)
	}
	return ""
}

func (w *world) creditText(a *article) string {
	switch a.credit {
	case creditDirect:
		if a.story.credited != nil {
			return fmt.Sprintf("Telegram %q", a.story.credited.ch.name)
		}
		return a.story.page.name
	case creditNetwork:
		return a.target.seq.site.site.Display
	}
	return ""
}

func (w *world) chain(a *article) []string {
	switch a.credit {
	case creditDirect:
		out := []string{w.creditURL(a)}
		if p := a.story.credited; p != nil && p.fwd != nil {
			out = append(out, postURL(p.fwd))
		}
		return out
	case creditNetwork:
		return append([]string{w.creditURL(a)}, w.chain(a.target)...)
	}
	return []string{}
}

func (s *story) originOf() Origin {
	if s.root != nil {
		return Origin{Kind: "telegram_post", Channel: s.root.ch.name, Post: s.root.id, URL: postURL(s.root), Time: s.root.time.In(msk)}
	}
	return Origin{Kind: "state_media", Outlet: s.page.outlet.ID, URL: s.page.url, Time: s.page.time.In(msk)}
}

func (w *world) truth(a *article) Truth {
	s := a.story
	b := w.articleBody(a, false)
	t := Truth{
		Key: a.key(), Site: a.seq.site.site.Name, Edition: a.seq.edition, ID: a.id,
		URL: a.url(false), CanonicalURL: a.url(false), Lang: a.seq.lang,
		Published: a.pub.In(msk), Category: a.cat.slug, CategoryLabel: a.cat.label,
		Title: b.title, Story: s.id, Credited: a.credit != creditNone,
		CreditURL: w.creditURL(a), CreditText: w.creditText(a), Origin: s.originOf(), Chain: w.chain(a),
		Evidence: a.evidence, Edited: a.faults.has(fEdit), Deleted: a.faults.has(fDelete),
		Disallowed: a.disallowed, LangFallback: a.seq.text != a.seq.lang,
		Images: a.images, Alternates: []string{}, Text: b.plain(), Gone: a.gone,
		Faults: a.faults.names(),
	}
	switch {
	case a.credit == creditNetwork:
		t.CreditKind = "network"
	case a.credit == creditNone:
		t.CreditKind = "none"
	default:
		t.CreditKind = s.kind
	}
	if a.dupOf != nil {
		k := a.dupOf.key()
		t.NearDuplicateOf = &k
	}
	for _, alt := range a.alternates() {
		t.Alternates = append(t.Alternates, alt.url(false))
	}
	if t.Edited {
		b2 := w.articleBody(a, true)
		t.TitleV2, t.TextV2 = b2.title, b2.plain()
	}
	return t
}

// Truth is the ground truth of every article generated so far (published or not yet
// visible), ordered by site, edition and id.
func (n *Network) Truth() []Truth {
	n.mu.RLock()
	defer n.mu.RUnlock()
	var out []Truth
	for _, seq := range n.w.seqs {
		for _, a := range seq.arts {
			out = append(out, n.w.truth(a))
		}
	}
	return out
}

// WriteTruth writes Truth as JSON lines.
func (n *Network) WriteTruth(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, t := range n.Truth() {
		if err := enc.Encode(t); err != nil {
			return fmt.Errorf("write truth: %w", err)
		}
	}
	return nil
}

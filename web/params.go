package web

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/index/query"
)

// Caps on request parameters: anything longer is a mistake or an attack.
const (
	maxQueryLen  = 2000
	maxValues    = 50 // values of one filter
	maxValueLen  = 200
	maxCursorLen = 4096
	dayLayout    = "2006-01-02"
)

// filters are the parameters shared by search, counts and export.
type filters struct {
	Q        string
	Sites    []string
	Langs    []string
	Origins  []string // origin kinds
	Outlets  []string
	Channels []string
	From, To string // inclusive days, YYYY-MM-DD, "" for open
}

// searchParams are the search page's and API's parameters.
type searchParams struct {
	filters
	Sort  string
	Size  int
	After string // opaque cursor: Result.Next encoded
	// NoFacets skips the facet counts (facets=0): a client paging through a whole
	// result (an export, `pravda search --limit 0`) has no use for them on every page.
	NoFacets bool
}

func parseFilters(v url.Values) (filters, error) {
	var f filters
	f.Q = strings.TrimSpace(v.Get("q"))
	if len(f.Q) > maxQueryLen || !utf8.ValidString(f.Q) {
		return f, badRequestf("q: at most %d bytes of UTF-8", maxQueryLen)
	}
	// Checked here so that a malformed query is reported the same with or
	// without an index.
	if _, err := query.Parse(f.Q); err != nil {
		return f, err
	}
	for _, p := range []struct {
		name string
		dst  *[]string
	}{{"site", &f.Sites}, {"lang", &f.Langs}, {"origin", &f.Origins}, {"outlet", &f.Outlets}, {"channel", &f.Channels}} {
		vals, err := listParam(v, p.name)
		if err != nil {
			return f, err
		}
		*p.dst = vals
	}
	var err error
	if f.From, err = dayParam(v, "from"); err != nil {
		return f, err
	}
	if f.To, err = dayParam(v, "to"); err != nil {
		return f, err
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, badRequestf("from %s is after to %s", f.From, f.To)
	}
	return f, nil
}

// listParam reads a repeatable, comma-separated parameter.
func listParam(v url.Values, name string) ([]string, error) {
	var out []string
	for _, raw := range v[name] {
		for _, x := range strings.Split(raw, ",") {
			x = strings.TrimSpace(x)
			if x == "" {
				continue
			}
			if len(x) > maxValueLen || !utf8.ValidString(x) {
				return nil, badRequestf("%s: a value longer than %d bytes or not UTF-8", name, maxValueLen)
			}
			out = append(out, x)
		}
	}
	if len(out) > maxValues {
		return nil, badRequestf("%s: at most %d values", name, maxValues)
	}
	return out, nil
}

func dayParam(v url.Values, name string) (string, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(dayLayout, s); err != nil {
		return "", badRequestf("%s %q: want a day, YYYY-MM-DD", name, clipText(s, 40))
	}
	return s, nil
}

func parseSearch(v url.Values, defSize, maxSize int) (searchParams, error) {
	f, err := parseFilters(v)
	p := searchParams{filters: f, Size: defSize}
	if err != nil {
		return p, err
	}
	switch p.Sort = v.Get("sort"); p.Sort {
	case "", index.SortRelevance, index.SortDate, index.SortDateDesc:
	default:
		return p, badRequestf("sort %q: want relevance, date or -date", clipText(p.Sort, 40))
	}
	if s := v.Get("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxSize {
			return p, badRequestf("size %q: want 1 to %d", clipText(s, 20), maxSize)
		}
		p.Size = n
	}
	switch f := v.Get("facets"); f {
	case "", "1", "true":
	case "0", "false":
		p.NoFacets = true
	default:
		return p, badRequestf("facets %q: want 0 or 1", clipText(f, 20))
	}
	p.After = v.Get("after")
	if _, err := decodeCursor(p.After); err != nil {
		return p, err
	}
	return p, nil
}

// request is the index request for the filters: days become instants in
// UTC, To exclusive.
func (f filters) request() index.Request {
	r := index.Request{Query: f.Q, Sites: f.Sites, Langs: f.Langs, OriginKinds: f.Origins,
		Outlets: f.Outlets, Channels: f.Channels}
	// Days as the sites date them, as the catalog's daily counts do: a midnight in UTC
	// would move articles published after midnight east of Greenwich to the day before.
	r.FromDay, r.ToDay = f.From, f.To
	return r
}

func (p searchParams) request() index.Request {
	r := p.filters.request()
	r.Sort, r.Size = p.Sort, p.Size
	c, _ := decodeCursor(p.After)
	r.After = c.After
	return r
}

// countQuery is the catalog's view of the filters. The catalog keeps an
// origin id as the registry spells it ("MID_Russia") while the index folds
// case, so ids are looked up under every spelling they may have.
func (s *Server) countQuery(f filters) catalog.CountQuery {
	q := catalog.CountQuery{From: f.From, To: f.To, Sites: f.Sites, Langs: f.Langs, OriginKinds: f.Origins}
	for _, o := range f.Outlets {
		q.OriginIDs = append(q.OriginIDs, s.spellings(query.NormalizeKeyword("outlet", o))...)
	}
	for _, c := range f.Channels {
		q.OriginIDs = append(q.OriginIDs, s.spellings(query.NormalizeKeyword("channel", c))...)
	}
	return q
}

// spellings lists an origin id as typed and as the registry spells it.
func (s *Server) spellings(id string) []string {
	out := []string{id}
	if c, ok := s.reg.Channel(id); ok && c.Name != id {
		out = append(out, c.Name)
	}
	return out
}

// values returns the filters as URL parameters, for links.
func (f filters) values() url.Values {
	v := url.Values{}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	for _, p := range []struct {
		name string
		vals []string
	}{{"site", f.Sites}, {"lang", f.Langs}, {"origin", f.Origins}, {"outlet", f.Outlets}, {"channel", f.Channels}} {
		for _, x := range p.vals {
			v.Add(p.name, x)
		}
	}
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	return v
}

func (p searchParams) values() url.Values {
	v := p.filters.values()
	if p.Sort != "" {
		v.Set("sort", p.Sort)
	}
	return v
}

// cursor is where the next page starts: the index's search_after key of
// the last hit, and how many hits came before it, which tells the last page
// (the index cannot: a full page may be the last one).
type cursor struct {
	After []string `json:"a"`
	Seen  uint64   `json:"n"`
}

// encodeCursor makes a cursor an opaque URL-safe token.
func encodeCursor(c cursor) string {
	if len(c.After) == 0 {
		return ""
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	bad := badRequestf("after: not a cursor from a previous page")
	if len(s) > maxCursorLen {
		return cursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || len(c.After) == 0 || len(c.After) > 8 {
		return cursor{}, bad
	}
	return c, nil
}

// clipText shortens hostile or mistyped input for an error message.
func clipText(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

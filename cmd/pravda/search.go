package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pravda-archive/pravda/index"
)

func init() {
	register("search", "full-text search of the archive (any language; Boolean queries, phrases, filters)", runSearch)
	register("counts", "articles per day, site or origin: archive-wide or for a query (count, total, ratio)", runCounts)
}

// filterFlags are the search filters shared by search and counts.
type filterFlags struct {
	sites, langs, origins, outlets, channels listFlag
	from, to                                 string
}

func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.sites, "site", "only these sites (repeatable, comma-separated)")
	fs.Var(&f.langs, "lang", "only these languages")
	fs.Var(&f.origins, "origin", "only these origin kinds (telegram_post, state_media, network, none, …)")
	fs.Var(&f.outlets, "outlet", "only these outlets (tass, ria, …)")
	fs.Var(&f.channels, "channel", "only these Telegram channels")
	fs.StringVar(&f.from, "from", "", "published on or after `DATE`")
	fs.StringVar(&f.to, "to", "", "published on or before `DATE`")
}

// params are the filters as API parameters. The dates are checked here first, so that a
// mistyped one is reported by its flag's name.
func (f *filterFlags) params(q string) (url.Values, error) {
	if _, err := parseDay(f.from, "--from"); err != nil {
		return nil, err
	}
	if _, err := parseDay(f.to, "--to"); err != nil {
		return nil, err
	}
	if f.from != "" && f.to != "" && f.from > f.to {
		return nil, fmt.Errorf("--from %s is after --to %s", f.from, f.to)
	}
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	for _, p := range []struct {
		name string
		vals []string
	}{{"site", f.sites}, {"lang", f.langs}, {"origin", f.origins}, {"outlet", f.outlets}, {"channel", f.channels}} {
		for _, x := range p.vals {
			v.Add(p.name, x)
		}
	}
	if f.from != "" {
		v.Set("from", f.from)
	}
	if f.to != "" {
		v.Set("to", f.to)
	}
	return v, nil
}

func parseDay(s, flag string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf("%s %q: want YYYY-MM-DD", flag, s)
	}
	return t, nil
}

// openIndex opens the archive's index for a one-off command. While `pravda serve` runs it
// owns the index, and this fails within seconds with index.ErrLocked.
func openIndex(data string) (*index.Index, error) {
	x, err := index.Open(filepath.Join(data, "index"), index.WithLockTimeout(3*time.Second))
	if errors.Is(err, index.ErrLocked) {
		return nil, fmt.Errorf("%w: stop it, or query its API (see `pravda serve`)", err)
	}
	return x, err
}

// apiHit is a search hit as the API answers it (web/openapi.yaml, Hit).
type apiHit struct {
	Key       string     `json:"key"`
	Site      string     `json:"site"`
	Lang      string     `json:"lang"`
	Title     string     `json:"title"`
	Published *time.Time `json:"published"` // in the site's own zone
	URL       string     `json:"url"`
	Score     float64    `json:"score"`
	Snippet   string     `json:"snippet"`
}

// apiSearchResult is one page of /api/v1/search.
type apiSearchResult struct {
	Total uint64   `json:"total"`
	Hits  []apiHit `json:"hits"`
	Next  string   `json:"next"`
}

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("search", "QUERY [--site S] [--lang L] [--origin KIND] [--from D] [--to D] [--sort relevance|date|-date] [--limit N] [--format table|jsonl|csv]", stderr)
	data := dataFlag(fs)
	var f filterFlags
	f.register(fs)
	sortBy := fs.String("sort", "", "relevance (default with a query), date (oldest first) or -date")
	limit := fs.Int("limit", 20, "hits to print (0: all, paging through the whole result)")
	format := fs.String("format", "table", "table, jsonl or csv")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *limit < 0 {
		return fmt.Errorf("--limit %d: want 0 (all) or more", *limit)
	}
	params, err := f.params(strings.Join(pos, " "))
	if err != nil {
		return err
	}
	if *sortBy != "" {
		params.Set("sort", *sortBy)
	}
	out, err := newHitWriter(stdout, *format)
	if err != nil {
		return err
	}
	api, err := openAPI(ctx, *data, true, stderr)
	if err != nil {
		return err
	}
	defer api.Close()
	n := 0
	var total uint64
	for {
		size := apiPageSize
		if *limit > 0 {
			size = min(size, *limit-n)
		}
		params.Set("size", strconv.Itoa(size))
		params.Set("facets", "0") // the command prints no facets
		var res apiSearchResult
		if err := api.get(ctx, "/api/v1/search", params, &res); err != nil {
			return err
		}
		total = res.Total
		for _, h := range res.Hits {
			if err := out.write(h); err != nil {
				return err
			}
			n++
		}
		if res.Next == "" || len(res.Hits) == 0 || (*limit > 0 && n >= *limit) {
			break
		}
		if res.Next == params.Get("after") { // a server that ignores the cursor: stop, not loop
			return errors.New("the API answered the same page twice: does it ignore after=?")
		}
		params.Set("after", res.Next)
	}
	if err := out.close(); err != nil {
		return err
	}
	if *format == "table" {
		fmt.Fprintf(stdout, "%d of %d hits\n", n, total)
	}
	return nil
}

type hitWriter struct {
	format string
	tw     *tabwriter.Writer
	cw     *csv.Writer
	enc    *json.Encoder
}

func newHitWriter(w io.Writer, format string) (*hitWriter, error) {
	h := &hitWriter{format: format}
	switch format {
	case "table":
		h.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(h.tw, "KEY\tPUBLISHED\tLANG\tTITLE")
	case "csv":
		h.cw = csv.NewWriter(w)
		h.cw.Write([]string{"key", "site", "lang", "published", "title", "url", "score"})
	case "jsonl":
		h.enc = json.NewEncoder(w)
		h.enc.SetEscapeHTML(false)
	default:
		return nil, fmt.Errorf("--format %q: want table, jsonl or csv", format)
	}
	return h, nil
}

func (h *hitWriter) write(x apiHit) error {
	pub := ""
	if x.Published != nil && !x.Published.IsZero() {
		pub = x.Published.Format(time.RFC3339)
	}
	switch h.format {
	case "table":
		_, err := fmt.Fprintf(h.tw, "%s\t%s\t%s\t%s\n", x.Key, strings.TrimSuffix(pub, ":00+03:00"), x.Lang, clipRunes(x.Title, 60))
		return err
	case "csv":
		return h.cw.Write([]string{x.Key, x.Site, x.Lang, pub, csvSafe(x.Title), x.URL, fmt.Sprintf("%.4f", x.Score)})
	}
	return h.enc.Encode(map[string]any{"key": x.Key, "site": x.Site, "lang": x.Lang, "published": pub,
		"title": x.Title, "url": x.URL, "score": x.Score, "snippet": x.Snippet})
}

func (h *hitWriter) close() error {
	switch h.format {
	case "table":
		return h.tw.Flush()
	case "csv":
		h.cw.Flush()
		return h.cw.Error()
	}
	return nil
}

// csvSafe defuses spreadsheet formulas in fetched text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// countBy maps counts' --by to the API's by.
var countBy = map[string]string{"day": "day", "site": "site", "lang": "lang", "origin": "origin_kind",
	"outlet": "outlet", "channel": "channel"}

// countRow is one row of /api/v1/counts, printed as it comes.
type countRow struct {
	Key   string  `json:"key"`
	Count int64   `json:"count"`
	Total int64   `json:"total"`
	Ratio float64 `json:"ratio"`
}

func runCounts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("counts", "[QUERY] --by day|site|lang|origin|outlet|channel [--from D] [--to D] [--format table|csv|jsonl]\n\n"+
		"Without --from a count starts at the archive's first day, at most 365 days before --to;\n"+
		"without --to it ends at the newest day. --by day lists every day, zeros included;\n"+
		"the other groupings are sorted by count, largest first.", stderr)
	data := dataFlag(fs)
	var f filterFlags
	f.register(fs)
	by := fs.String("by", "day", "day, site, lang, origin (kind), outlet or channel")
	format := fs.String("format", "table", "table, csv or jsonl")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	q := strings.Join(pos, " ")
	params, err := f.params(q)
	if err != nil {
		return err
	}
	group, ok := countBy[*by]
	if !ok {
		return fmt.Errorf("--by %q: want day, site, lang, origin, outlet or channel", *by)
	}
	params.Set("by", group)
	switch *format {
	case "table", "csv", "jsonl":
	default:
		return fmt.Errorf("--format %q: want table, csv or jsonl", *format)
	}
	// Without a query every number comes from the catalog: no index needed.
	api, err := openAPI(ctx, *data, strings.TrimSpace(q) != "", stderr)
	if err != nil {
		return err
	}
	defer api.Close()
	var res struct {
		Rows []countRow `json:"rows"`
	}
	if err := api.get(ctx, "/api/v1/counts", params, &res); err != nil {
		return err
	}
	switch *format {
	case "jsonl":
		enc := json.NewEncoder(stdout)
		for _, r := range res.Rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(stdout)
		cw.Write([]string{*by, "count", "total", "ratio"})
		for _, r := range res.Rows {
			cw.Write([]string{csvSafe(r.Key), fmt.Sprint(r.Count), fmt.Sprint(r.Total), fmt.Sprintf("%.4f", r.Ratio)})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tcount\ttotal\tratio\t\n", strings.ToUpper(*by))
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t\n", r.Key, r.Count, r.Total, r.Ratio)
	}
	return tw.Flush()
}

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pravda-archive/pravda/catalog"
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

func (f *filterFlags) request(q string) (index.Request, error) {
	r := index.Request{Query: q, Sites: f.sites, Langs: f.langs, OriginKinds: f.origins, Outlets: f.outlets, Channels: f.channels}
	var err error
	if r.From, err = parseDay(f.from, "--from"); err != nil {
		return r, err
	}
	if r.To, err = parseDay(f.to, "--to"); err != nil {
		return r, err
	}
	if !r.To.IsZero() {
		r.To = r.To.Add(24 * time.Hour) // --to is inclusive
	}
	return r, nil
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
	req, err := f.request(strings.Join(pos, " "))
	if err != nil {
		return err
	}
	req.Sort, req.Highlight = *sortBy, *format != "csv"
	x, err := openIndex(*data)
	if err != nil {
		return err
	}
	defer x.Close()
	out, err := newHitWriter(stdout, *format)
	if err != nil {
		return err
	}
	n := 0
	var total uint64
	for {
		req.Size = 100
		if *limit > 0 {
			req.Size = min(100, *limit-n)
		}
		res, err := x.Search(ctx, req)
		if err != nil {
			return err
		}
		total = res.Total
		for _, h := range res.Hits {
			if err := out.write(h); err != nil {
				return err
			}
			n++
		}
		if res.Next == nil || (*limit > 0 && n >= *limit) {
			break
		}
		req.After = res.Next
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

func (h *hitWriter) write(x index.Hit) error {
	pub := ""
	if !x.Published.IsZero() {
		pub = x.Published.Format(time.RFC3339)
	}
	url, _ := x.Fields["url"].(string)
	switch h.format {
	case "table":
		_, err := fmt.Fprintf(h.tw, "%s\t%s\t%s\t%s\n", x.Key, strings.TrimSuffix(pub, ":00+03:00"), x.Lang, clipRunes(x.Title, 60))
		return err
	case "csv":
		return h.cw.Write([]string{x.Key, x.Site, x.Lang, pub, csvSafe(x.Title), url, fmt.Sprintf("%.4f", x.Score)})
	}
	return h.enc.Encode(map[string]any{"key": x.Key, "site": x.Site, "lang": x.Lang, "published": pub,
		"title": x.Title, "url": url, "score": x.Score, "snippet": x.Snippet})
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

func runCounts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("counts", "[QUERY] --by day|site|origin|outlet|channel [--from D] [--to D] [--format table|csv|jsonl]", stderr)
	data := dataFlag(fs)
	var f filterFlags
	f.register(fs)
	by := fs.String("by", "day", "day, site, origin (kind), outlet or channel")
	format := fs.String("format", "table", "table, csv or jsonl")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	q := strings.Join(pos, " ")
	req, err := f.request(q)
	if err != nil {
		return err
	}
	cat, err := catalog.Open(ctx, filepath.Join(*data, "catalog.db"))
	if err != nil {
		return err
	}
	defer cat.Close()
	group := map[string]string{"day": "day", "site": "site", "origin": "origin_kind", "outlet": "origin_id", "channel": "origin_id"}[*by]
	if group == "" {
		return fmt.Errorf("--by %q: want day, site, origin, outlet or channel", *by)
	}
	// Totals from the catalog's counts table: archive-wide, same filters but no query.
	cq := catalog.CountQuery{From: f.from, To: f.to, Sites: f.sites, Langs: f.langs, OriginKinds: f.origins,
		OriginIDs: append(append([]string{}, f.outlets...), f.channels...), By: group}
	totals, err := cat.DailyCounts(ctx, cq)
	if err != nil {
		return err
	}
	type row struct {
		Key   string  `json:"key"`
		C     int64   `json:"count"`
		T     int64   `json:"total"`
		Ratio float64 `json:"ratio"`
	}
	var rows []row
	totalOf := map[string]int64{}
	var keys []string
	for _, t := range totals {
		k := countKey(t)
		if _, ok := totalOf[k]; !ok {
			keys = append(keys, k)
		}
		totalOf[k] += t.N
	}
	counts := totalOf
	if q != "" {
		x, err := openIndex(*data)
		if err != nil {
			return err
		}
		defer x.Close()
		counts = map[string]int64{}
		if *by == "day" {
			dc, err := x.DayCounts(ctx, req)
			if err != nil {
				return err
			}
			for _, d := range dc {
				counts[d.Day] = int64(d.Count)
			}
		} else {
			field := map[string]string{"site": "site", "origin": "origin", "outlet": "outlet", "channel": "channel"}[*by]
			top, err := x.TopTerms(ctx, req, field, 1000)
			if err != nil {
				return err
			}
			for _, t := range top {
				counts[t.Term] = int64(t.Count)
				if _, ok := totalOf[t.Term]; !ok {
					keys = append(keys, t.Term)
				}
			}
		}
	}
	for _, k := range keys {
		r := row{Key: k, C: counts[k], T: totalOf[k]}
		if r.T > 0 {
			r.Ratio = float64(r.C) / float64(r.T)
		}
		rows = append(rows, r)
	}
	switch *format {
	case "jsonl":
		enc := json.NewEncoder(stdout)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(stdout)
		cw.Write([]string{*by, "count", "total", "ratio"})
		for _, r := range rows {
			cw.Write([]string{r.Key, fmt.Sprint(r.C), fmt.Sprint(r.T), fmt.Sprintf("%.4f", r.Ratio)})
		}
		cw.Flush()
		return cw.Error()
	case "table":
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tcount\ttotal\tratio\t\n", strings.ToUpper(*by))
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t\n", r.Key, r.C, r.T, r.Ratio)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format %q: want table, csv or jsonl", *format)
}

func countKey(r catalog.CountRow) string {
	if r.Key != "" {
		return r.Key
	}
	return r.Day
}

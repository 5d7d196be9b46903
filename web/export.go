package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// exportChunk is how many hits one search_after page of an export holds; a
// variable so that tests can page through a small index.
var exportChunk = 1000

// exportRow is one article of an export, in both formats.
type exportRow struct {
	Key           string `json:"key"`
	Site          string `json:"site"`
	ID            int64  `json:"id"`
	Lang          string `json:"lang"`
	Published     string `json:"published"`
	PublishedDay  string `json:"published_day"`
	Title         string `json:"title"`
	URL           string `json:"url"`
	OriginKind    string `json:"origin_kind"`
	OriginOutlet  string `json:"origin_outlet"`
	OriginChannel string `json:"origin_channel"`
	OriginURL     string `json:"origin_url"`
	StoryID       int64  `json:"story_id,omitempty"`
	LagSeconds    *int64 `json:"lag_seconds,omitempty"`
}

var exportHeader = []string{"key", "site", "id", "lang", "published", "published_day", "title", "url",
	"origin_kind", "origin_outlet", "origin_channel", "origin_url", "story_id", "lag_seconds"}

func (r exportRow) record() []string {
	story, lag := "", ""
	if r.StoryID != 0 {
		story = itoa(r.StoryID)
	}
	if r.LagSeconds != nil {
		lag = itoa(*r.LagSeconds)
	}
	rec := []string{r.Key, r.Site, itoa(r.ID), r.Lang, r.Published, r.PublishedDay, r.Title, r.URL,
		r.OriginKind, r.OriginOutlet, r.OriginChannel, r.OriginURL, story, lag}
	for i := range rec {
		rec[i] = csvSafe(rec[i])
	}
	return rec
}

// csvSafe defuses spreadsheet formulas in fetched text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// apiExport streams every hit of a search, paging through the index with
// search_after, enriched from the catalog a page at a time. The first page
// is fetched before anything is written, so a bad query is still a 400.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "jsonl" {
		s.apiError(w, r, badRequestf("format %q: want csv or jsonl", clipText(format, 20)))
		return
	}
	p, err := parseSearch(q, exportChunk, exportChunk)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if s.idx == nil {
		s.apiError(w, r, errNoIndex)
		return
	}
	p.Size = exportChunk
	req := p.request()
	res, err := s.idx.Search(ctx, req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}

	name := "pravda-export-" + time.Now().UTC().Format("20060102-150405") + "." + format
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	flusher, _ := w.(http.Flusher)
	cw := csv.NewWriter(w)
	enc := json.NewEncoder(w)
	if format == "csv" {
		cw.Write(exportHeader)
	}
	n := 0
	for {
		hs, err := s.hits(ctx, res.Hits)
		if err != nil {
			s.log.Error("web: export", "err", err, "rows", n)
			return // the truncated body tells the client; the status is sent
		}
		for _, h := range hs {
			row := exportRow{Key: h.Key, Site: h.Site, ID: h.ID, Lang: h.Lang, Title: h.Title, URL: h.URL}
			if h.Published != nil {
				row.Published = h.Published.Format(time.RFC3339)
			}
			if sm := h.summary; sm != nil {
				row.PublishedDay, row.StoryID = sm.PublishedDay, sm.StoryID
				row.OriginKind, row.OriginOutlet, row.OriginChannel, row.OriginURL = sm.Origin.Kind, sm.Origin.Outlet, sm.Origin.Channel, sm.Origin.URL
				if sm.HasLag {
					l := int64(sm.Lag / time.Second)
					row.LagSeconds = &l
				}
			}
			if format == "csv" {
				err = cw.Write(row.record())
			} else {
				err = enc.Encode(row)
			}
			if err != nil {
				return // the client went away
			}
			n++
		}
		if format == "csv" {
			cw.Flush()
		}
		if flusher != nil {
			flusher.Flush()
		}
		if len(res.Next) == 0 || ctx.Err() != nil {
			return
		}
		req.After = res.Next
		if res, err = s.idx.Search(ctx, req); err != nil {
			s.log.Error("web: export", "err", err, "rows", n)
			return
		}
	}
}

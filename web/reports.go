package web

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// reportName is a daily report file as package report writes them.
var reportName = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\.(html|json|csv|md|svg)$`)

var reportTypes = map[string]string{
	"html": "text/html; charset=utf-8",
	"json": "application/json; charset=utf-8",
	"csv":  "text/csv; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
	"svg":  "image/svg+xml",
}

// reportFormats is the order formats are listed in.
var reportFormats = []string{"html", "svg", "csv", "json", "md"}

type reportDay struct {
	Date    string
	Formats []reportLink
}

type reportLink struct{ Format, URL string }

// reportDays lists the reports in ReportsDir, newest first.
func (s *Server) reportDays() ([]reportDay, error) {
	if s.reportsDir == "" {
		return nil, nil
	}
	entries, err := os.ReadDir(s.reportsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	have := map[string]map[string]bool{}
	for _, e := range entries {
		m := reportName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		if have[m[1]] == nil {
			have[m[1]] = map[string]bool{}
		}
		have[m[1]][m[2]] = true
	}
	var out []reportDay
	for day, formats := range have {
		d := reportDay{Date: day}
		for _, f := range reportFormats {
			if formats[f] {
				d.Formats = append(d.Formats, reportLink{f, "/reports/" + day + "." + f})
			}
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b reportDay) int { return strings.Compare(b.Date, a.Date) })
	return out, nil
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request) {
	days, err := s.reportDays()
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reports", page{Title: "Daily reports", Nav: "reports", Data: days})
}

// reportFile serves one report file. Reports are our own output, but they
// quote site and origin names from fetched pages, so they get a policy of
// their own with no scripts at all.
func (s *Server) reportFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	m := reportName.FindStringSubmatch(name)
	if m == nil || s.reportsDir == "" {
		s.pageError(w, r, notFoundf("no report %s", clipText(name, 60)))
		return
	}
	b, err := os.ReadFile(filepath.Join(s.reportsDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		s.pageError(w, r, notFoundf("no report %s", name))
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", reportTypes[m[2]])
	h.Set("Cache-Control", "no-cache")
	w.Write(b)
}

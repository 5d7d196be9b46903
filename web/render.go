package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// page is what every page template gets: its own data in Data.
type page struct {
	Title string
	// Lang is the language of the page's main content, for <html lang>: an
	// article's own language on its page, English elsewhere.
	Lang string
	Nav  string // which navigation item is current
	Data any
}

var funcs = template.FuncMap{
	"datetime":    func(v any) string { return fmtTime(timeOf(v)) },
	"lag":         lagOf,
	"pct":         fmtPct,
	"articlePath": articlePath,
	"capturePath": capturePath,
	"rawPath":     func(file string, off int64) string { return capturePath(file, off) + "/raw" },
	"originPath":  originPath,
	"sitePath":    sitePath,
	"storyPath":   func(id int64) string { return "/stories/" + strconv.FormatInt(id, 10) },
	"paras":       paragraphs,
	"query":       func(v url.Values) string { return v.Encode() },
	"dash": func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	},
}

// parsePages parses each page template together with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// render writes a page. It renders into a buffer first so that a template
// error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t := s.pages[name]
	if p.Lang == "" {
		p.Lang = "en"
	}
	var buf bytes.Buffer
	if t == nil {
		s.log.Error("web: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, p); err != nil {
		s.log.Error("web: render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageError renders the error page: 404 for an unknown article, 400 for a
// bad parameter, and so on.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	p := s.classify(r, err)
	title := http.StatusText(p.Status)
	s.render(w, r, p.Status, "error", page{Title: title, Data: struct {
		Status int
		Title  string
		Msg    string
	}{p.Status, title, p.Msg}})
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, err := staticFS.ReadFile("static/" + path.Base(name))
	if err != nil {
		s.pageError(w, r, notFoundf("no file %s", name))
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04 -07:00")
}

// timeOf accepts what templates hold: a time or a pointer to one.
func timeOf(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case *time.Time:
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}

// lagOf formats a duration, or a number of seconds as the JSON views hold
// it.
func lagOf(v any) string {
	switch d := v.(type) {
	case time.Duration:
		return fmtLag(d)
	case *time.Duration:
		if d != nil {
			return fmtLag(*d)
		}
	case int64:
		return fmtLag(time.Duration(d) * time.Second)
	case *int64:
		if d != nil {
			return fmtLag(time.Duration(*d) * time.Second)
		}
	}
	return "—"
}

// fmtLag writes a lag the way a reader says it: 42 s, 17 min, 3 h 05 min, 2 d 4 h.
func fmtLag(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "−", -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%s%d s", sign, int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%s%d min", sign, int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%s%d h %02d min", sign, int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%s%d d %d h", sign, int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

func fmtPct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

// articlePath is the article page: /articles/SITE/ID, the site's own
// slashes kept ("canada/fr").
func articlePath(site string, id int64) string {
	return "/articles/" + escapeSegments(site) + "/" + strconv.FormatInt(id, 10)
}

func sitePath(site string) string { return "/sites/" + escapeSegments(site) }

func originPath(kind, id string) string {
	return "/origins/" + url.PathEscape(kind) + "/" + url.PathEscape(id)
}

func capturePath(file string, offset int64) string {
	return "/capture/" + url.PathEscape(file) + "/" + strconv.FormatInt(offset, 10)
}

func escapeSegments(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// paragraphs splits extracted text at blank lines, or at line breaks when
// it has no blank lines.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	sep := "\n\n"
	if !strings.Contains(text, sep) {
		sep = "\n"
	}
	var out []string
	for _, p := range strings.Split(text, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

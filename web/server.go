package web

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/seeds"
)

// Options configures a Server.
type Options struct {
	Catalog *catalog.Catalog // required
	// Index serves search, facets and query counts. When nil the search
	// pages say "no index yet" and the search API answers 503; everything
	// the catalog alone can answer still works.
	Index    *index.Index
	Registry *seeds.Registry // site and origin names; seeds.Default() if nil
	// WARCDir holds the WARC files and their CDXJ indexes, for capture
	// replay. It may be empty or missing: replay then answers 404.
	WARCDir string
	// ReportsDir holds the daily reports (YYYY-MM-DD.{html,json,csv,md,svg}).
	ReportsDir string
	Logger     *slog.Logger // slog.Default() if nil
}

// Server is the web interface. It is an http.Handler, safe for concurrent use.
type Server struct {
	cat        *catalog.Catalog
	idx        *index.Index
	reg        *seeds.Registry
	warcDir    string
	reportsDir string
	log        *slog.Logger

	mux   *http.ServeMux
	pages map[string]*template.Template
	cache aggCache
	now   func() time.Time
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.Catalog == nil {
		return nil, errors.New("web: Options.Catalog is required")
	}
	s := &Server{
		cat:        o.Catalog,
		idx:        o.Index,
		reg:        o.Registry,
		warcDir:    o.WARCDir,
		reportsDir: o.ReportsDir,
		log:        o.Logger,
		now:        time.Now,
	}
	if s.reg == nil {
		s.reg = seeds.Default()
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.searchPage)
	m.HandleFunc("GET /articles/{path...}", s.articlePage)
	m.HandleFunc("GET /origins/{kind}/{id}", s.originPage)
	m.HandleFunc("GET /sites/{site...}", s.sitePage)
	m.HandleFunc("GET /stories/{id}", s.storyPage)
	m.HandleFunc("GET /reports/{$}", s.reportsPage)
	m.HandleFunc("GET /reports/{name}", s.reportFile)
	m.HandleFunc("GET /capture/img", s.captureImage)
	m.HandleFunc("GET /capture/{file}/{offset}", s.captureReplay)
	m.HandleFunc("GET /capture/{file}/{offset}/raw", s.captureRaw)
	m.HandleFunc("GET /static/{name}", s.static)
	m.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s.pageError(w, r, notFoundf("no page at %s", r.URL.Path))
	})

	m.HandleFunc("GET /api/v1/search", s.apiSearch)
	m.HandleFunc("GET /api/v1/counts", s.apiCounts)
	m.HandleFunc("GET /api/v1/articles/{path...}", s.apiArticle)
	m.HandleFunc("GET /api/v1/origins/{kind}/{id}", s.apiOrigin)
	m.HandleFunc("GET /api/v1/stories/{id}", s.apiStory)
	m.HandleFunc("GET /api/v1/export", s.apiExport)
	m.HandleFunc("GET /api/v1/openapi.yaml", s.openAPI)
	m.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		s.apiError(w, r, notFoundf("no API endpoint %s %s", r.Method, r.URL.Path))
	})
	s.mux = m
}

// ServeHTTP sets the headers every response shares and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// The application's own pages: scripts and styles only from here, no
	// plugins, frames only from here (the sandboxed capture), and no one
	// frames us. Capture and report responses replace this with their own.
	h.Set("Content-Security-Policy", appCSP)
	h.Set("X-Frame-Options", "DENY")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("web: panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	s.mux.ServeHTTP(w, r)
}

const appCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

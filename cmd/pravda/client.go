package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/index/query"
	"github.com/pravda-archive/pravda/web"
)

// One process owns the index (design.md). While `pravda serve` runs, search and counts
// ask its JSON API; otherwise they open the index and the catalog and serve the very same
// API in this process. Either way the answer comes out of one handler, so the output of a
// command cannot depend on whether a daemon happens to be running.

const (
	// probeTimeout bounds the wait for a daemon named by serve.addr to answer /healthz:
	// one killed with -9 leaves the file behind.
	probeTimeout = 2 * time.Second
	// apiTimeout bounds one API request to a daemon (one page of hits, one count), so
	// that a daemon wedged after answering /healthz cannot hang the command.
	apiTimeout = 2 * time.Minute
	// maxAPIBody caps an API answer: a page of 200 hits with 4 KiB snippets is < 2 MB.
	maxAPIBody = 64 << 20
)

// apiPageSize is how many hits a search asks for per request (the API allows 200).
// Tests lower it to make paging happen on a small archive.
var apiPageSize = 200

// archiveAPI sends /api/v1 requests to the running daemon or to the in-process server.
type archiveAPI struct {
	base   string // http://ADDR
	where  string // for error messages
	client *http.Client
	close  func() error
}

// openAPI reaches the archive of data: through the daemon when one answers at the address
// in serve.addr, else by opening it here. needIndex says whether the index is needed at
// all (counts without a query come from the catalog alone); when it is opened here, what
// the catalog has queued for it is indexed first, so that results are never stale.
func openAPI(ctx context.Context, data string, needIndex bool, stderr io.Writer) (*archiveAPI, error) {
	if api := daemonAPI(ctx, data, stderr); api != nil {
		return api, nil
	}
	return localAPI(ctx, data, needIndex, stderr)
}

// Close releases what openAPI opened.
func (a *archiveAPI) Close() error {
	a.client.CloseIdleConnections()
	if a.close != nil {
		return a.close()
	}
	return nil
}

// daemonAPI returns the API of the daemon serving data, or nil when none runs. A
// serve.addr that names nothing answering is reported on stderr as stale.
func daemonAPI(ctx context.Context, data string, stderr io.Writer) *archiveAPI {
	path := filepath.Join(data, addrFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil // no daemon (or an unreadable file: the index lock decides)
	}
	addr := dialable(strings.TrimSpace(string(b)))
	// The daemon's API is local: never send it through a proxy from the environment.
	tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: probeTimeout}).DialContext}
	api := &archiveAPI{base: "http://" + addr, where: "daemon at " + addr,
		client: &http.Client{Transport: tr, Timeout: apiTimeout}}
	if addr != "" && api.alive(ctx) {
		return api
	}
	tr.CloseIdleConnections()
	if ctx.Err() == nil {
		fmt.Fprintf(stderr, "pravda: no daemon answers at %q (stale %s); opening the index directly\n", addr, path)
	}
	return nil
}

// alive says whether a pravda daemon answers /healthz in time. Any status will do (503
// only says something is amiss inside), but the body must be a daemon's, not that of
// whatever else took the port since.
func (a *archiveAPI) alive(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var h health
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&h)
	return err == nil && !h.Started.IsZero()
}

// dialable turns a listen address into one to connect to: a daemon listening on every
// interface (":8080", "0.0.0.0:8080") is reached on the loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}

// localAPI opens the index (when needed) and the catalog of data and serves the API over
// them in this process. The index first: its lock is what says a daemon owns the data,
// and on an empty data directory it makes the directory the catalog is created in.
func localAPI(ctx context.Context, data string, needIndex bool, stderr io.Writer) (_ *archiveAPI, err error) {
	var x *index.Index
	var cat *catalog.Catalog
	closeAll := func() error {
		var errs []error
		if x != nil {
			errs = append(errs, x.Close())
		}
		if cat != nil {
			errs = append(errs, cat.Close())
		}
		return errors.Join(errs...)
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	if needIndex {
		if x, err = openIndex(data); err != nil {
			return nil, err
		}
	}
	if cat, err = catalog.Open(ctx, filepath.Join(data, "catalog.db")); err != nil {
		return nil, err
	}
	if x != nil {
		if err := indexQueued(ctx, cat, x, stderr); err != nil {
			return nil, err
		}
	}
	// Only failures log (a 500's cause): to stderr, where the command's own errors go.
	srv, err := web.New(web.Options{Catalog: cat, Index: x, Logger: logger(stderr, "warn", false)})
	if err != nil {
		return nil, err
	}
	return &archiveAPI{base: "http://pravda.invalid", where: "archive " + data,
		client: &http.Client{Transport: handlerTransport{srv}}, close: closeAll}, nil
}

// indexQueued indexes what the catalog has queued for the index: a crawl with
// --no-index, or one whose index was held by another command, leaves articles queued.
func indexQueued(ctx context.Context, cat *catalog.Catalog, x *index.Index, stderr io.Writer) error {
	n, err := cat.QueueLen(ctx)
	if err != nil {
		return fmt.Errorf("index queue: %w", err)
	}
	if n == 0 {
		return nil
	}
	fmt.Fprintf(stderr, "indexing %d queued articles…\n", n)
	if _, err := index.Sync(ctx, cat, x); err != nil {
		return fmt.Errorf("index queued articles: %w", err)
	}
	return nil
}

// handlerTransport answers requests with a handler in this process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := &bufferedResponse{header: http.Header{}}
	t.h.ServeHTTP(w, r.Clone(r.Context())) // the mux sets fields on the request
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return &http.Response{Status: fmt.Sprintf("%d %s", w.code, http.StatusText(w.code)), StatusCode: w.code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: w.header, Request: r,
		Body: io.NopCloser(&w.body), ContentLength: int64(w.body.Len())}, nil
}

// bufferedResponse is a ResponseWriter that keeps the response in memory.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (w *bufferedResponse) Header() http.Header { return w.header }

func (w *bufferedResponse) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *bufferedResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// get sends GET path?params and decodes the JSON answer into out. An error answer
// becomes an error with the API's message: a query syntax error the *query.Error the
// index would have returned here.
func (a *archiveAPI) get(ctx context.Context, path string, params url.Values, out any) error {
	u := a.base + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w", a.where, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody+1))
	if err != nil {
		return fmt.Errorf("%s: read %s: %w", a.where, path, err)
	}
	if len(body) > maxAPIBody {
		return fmt.Errorf("%s: %s: answer larger than %d bytes", a.where, path, maxAPIBody)
	}
	if resp.StatusCode != http.StatusOK {
		return apiError(resp.StatusCode, body, a.where)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: %s: %w", a.where, path, err)
	}
	return nil
}

// apiError turns an error answer ({"error": ..., "position": N}) back into an error.
func apiError(status int, body []byte, where string) error {
	var p struct {
		Msg      string `json:"error"`
		Position *int   `json:"position"`
	}
	if json.Unmarshal(body, &p) != nil || p.Msg == "" {
		return fmt.Errorf("%s: %d %s", where, status, http.StatusText(status))
	}
	if p.Position != nil {
		prefix := (&query.Error{Pos: *p.Position}).Error()
		if msg, ok := strings.CutPrefix(p.Msg, prefix); ok {
			return &query.Error{Pos: *p.Position, Msg: msg}
		}
	}
	return errors.New(p.Msg)
}

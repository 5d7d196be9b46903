package sim

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Handler answers for every host: the simulated sites (by current host; legacy aliases
// redirect), t.me, the outlets' hosts, and 421 for anything the registry does not name.
func (n *Network) Handler() http.Handler { return handler{n} }

type handler struct{ n *Network }

// maxURLKey bounds the per-URL keys kept in the request log.
const maxURLKey = 2048

// exchange is one request being answered.
type exchange struct {
	n        *Network
	w        *recorder
	r        *http.Request
	host     string
	url      string // host + request URI: the key request faults are drawn on
	attempt  int
	hostN    int64
	had503   int
	truncate bool // the truncate fault fired: send two thirds of whatever the answer is
	now      time.Time
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.n
	host := r.Host
	if host == "" && r.TLS != nil {
		host = r.TLS.ServerName
	}
	host = normHost(host)
	x := &exchange{n: n, w: &recorder{ResponseWriter: w}, r: r, host: host, now: n.cfg.Now()}
	x.url = host + r.URL.RequestURI()
	if len(x.url) > maxURLKey {
		x.url = x.url[:maxURLKey]
	}
	x.attempt, x.hostN, x.had503 = n.stats.begin(host, x.url, time.Now())
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				n.stats.end(host, 0)
				panic(p)
			}
			n.stats.add(&n.stats.s.Panics)
			n.log.Error("handler panic", "host", host, "uri", r.RequestURI, "panic", p, "stack", string(debug.Stack()))
			if x.w.status == 0 {
				http.Error(x.w, "internal error", http.StatusInternalServerError)
			}
		}
		n.stats.end(host, x.w.status)
	}()
	x.route()
}

func (x *exchange) route() {
	n, host := x.n, x.host
	if ss := n.w.hosts[host]; ss != nil { // hosts is fixed at New: no lock
		if x.methodOK() && !x.faulted(articlePath.MatchString(x.r.URL.Path)) {
			x.serveSite(ss)
		}
		return
	}
	if s, ok := n.reg.SiteByHost(host); ok {
		if s.Host != host {
			x.redirect("https://"+s.Host+x.r.URL.RequestURI(), http.StatusMovedPermanently)
			return
		}
		x.notFound(nil) // a network site that is not simulated
		return
	}
	if o, ok := n.reg.Outlet(host); ok {
		switch {
		case o.ID == "telegram" && host != "t.me":
			x.redirect("https://t.me"+x.r.URL.RequestURI(), http.StatusMovedPermanently)
		case o.ID == "telegram":
			if x.methodOK() && !x.faulted(false) {
				x.serveTelegram()
			}
		case x.n.outletHost(host):
			if x.methodOK() && !x.faulted(false) {
				x.serveOutlet()
			}
		default:
			x.notFound(nil)
		}
		return
	}
	n.stats.offScope(host)
	x.send(http.StatusMisdirectedRequest, "text/plain; charset=utf-8",
		[]byte("421 Misdirected Request: "+host+" is not part of the simulated network\n"))
}

func (x *exchange) methodOK() bool {
	if x.r.Method == http.MethodGet || x.r.Method == http.MethodHead {
		return true
	}
	x.w.Header().Set("Allow", "GET, HEAD")
	x.send(http.StatusMethodNotAllowed, "text/plain; charset=utf-8", []byte("405 Method Not Allowed\n"))
	return false
}

// faulted injects the request faults that fire for this attempt; it reports whether the
// request has been answered (or dropped) by one.
func (x *exchange) faulted(article bool) bool {
	n := x.n
	d := n.decide(x.host, x.url, x.attempt, x.hostN, x.had503, article)
	if d.slow > 0 {
		n.stats.fault("slow", x.url)
		t := time.NewTimer(d.slow)
		select {
		case <-t.C:
		case <-x.r.Context().Done():
			t.Stop()
			return true
		}
	}
	switch {
	case d.burst:
		n.stats.fault("5xx", x.url)
		x.send(http.StatusServiceUnavailable, "text/html; charset=utf-8",
			[]byte("<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n"))
		return true
	case d.reset:
		n.stats.fault("reset", x.url)
		x.reset()
		return true
	case d.tooMany > 0:
		n.stats.fault("429", x.url)
		x.w.Header().Set("Retry-After", strconv.Itoa(d.tooMany))
		x.send(http.StatusTooManyRequests, "text/html; charset=utf-8",
			[]byte("<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>\n"))
		return true
	case d.truncate:
		n.stats.fault("truncate", x.url)
		x.truncate = true
	}
	return false
}

// reset drops the connection in the middle of the response (headers sent, the body just
// begun) with a TCP RST where the connection allows it.
func (x *exchange) reset() {
	conn, buf, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not a real connection (a test recorder): abort
	}
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 8192\r\n\r\n<!DOCTYPE html>\n<html><head>")
	buf.Flush()
	abort(conn)
}

// articlePath is the network's article grammar (as seeds has it); articleRest is the same
// once an edition prefix has been taken off.
var (
	articlePath = regexp.MustCompile(`^(?:/[a-z]{2})?/[^/]+/\d{4}/\d{2}/\d{2}/\d+(?:-amp)?\.html$`)
	articleRest = regexp.MustCompile(`^/([^/]+)/(\d{4})/(\d{2})/(\d{2})/(\d{1,18})(-amp)?\.html$`)
)

func (x *exchange) serveSite(ss *simSite) {
	path := x.r.URL.Path
	seq, rest := ss.primary, path
	for _, e := range ss.seqs[1:] {
		if path == e.prefix {
			x.redirect(e.prefix+"/", http.StatusMovedPermanently)
			return
		}
		if strings.HasPrefix(path, e.prefix+"/") {
			seq, rest = e, path[len(e.prefix):]
			break
		}
	}
	if strings.HasPrefix(path, "/search/") || (ss.disallow != "" && strings.HasPrefix(path, ss.disallow)) {
		x.n.stats.add(&x.n.stats.s.Disallowed)
	}
	root := seq == ss.primary
	switch {
	case rest == "/robots.txt" && root:
		x.send(http.StatusOK, "text/plain; charset=utf-8", []byte(x.n.robots(ss)))
	case rest == "/sitemap.xml" && root:
		x.sitemapIndex(ss)
	case strings.HasPrefix(rest, "/sitemap_news_") && root:
		x.sitemapFile(ss, rest)
	case rest == "/api/blocks":
		x.apiBlocks(seq)
	case rest == "/api/cat":
		x.apiCat(seq)
	case strings.HasPrefix(rest, "/img/") && root:
		x.image(rest)
	case rest == "/":
		x.listing(seq, nil)
	case rest == "/search/" || rest == "/search":
		x.send(http.StatusOK, "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Search</title></head><body><main class=\"main\"><form action=\"/search/\"><input name=\"q\"></form><p>0</p></main></body></html>\n"))
	default:
		if m := articleRest.FindStringSubmatch(rest); m != nil {
			x.article(seq, rest, m)
			return
		}
		slug := strings.Trim(rest, "/")
		if cat := seq.catBySlug[slug]; cat != nil && slug != "" && !strings.Contains(slug, "/") {
			if !strings.HasSuffix(rest, "/") {
				x.redirect(seq.prefix+"/"+slug+"/", http.StatusMovedPermanently)
				return
			}
			x.listing(seq, cat)
			return
		}
		x.notFound(seq)
	}
}

func (x *exchange) article(seq *sequence, rest string, m []string) {
	n := x.n
	id, err := strconv.ParseInt(m[5], 10, 64)
	if err != nil {
		x.notFound(seq)
		return
	}
	n.mu.RLock()
	a := seq.byID[id]
	n.mu.RUnlock()
	if a == nil || !a.visible(x.now) {
		x.notFound(seq)
		return
	}
	amp := m[6] != ""
	want := a.path(amp)
	if a.faults.has(fRedirectLoop) {
		x.redirect(a.url(amp), http.StatusMovedPermanently)
		return
	}
	if seq.prefix+rest != want {
		x.redirect("https://"+a.host()+want, http.StatusMovedPermanently)
		return
	}
	gone, v2 := a.state()
	if gone {
		x.sendStatusPage(a.gone, seq)
		return
	}
	if a.faults.has(fOversize) {
		x.padded(a, amp, false, oversizeSize)
		return
	}
	if n.cfg.Pad > 0 {
		x.padded(a, amp, v2, n.cfg.Pad)
		return
	}
	p := n.page(a, amp, v2)
	h := x.w.Header()
	h.Set("ETag", p.etag)
	mod := a.lastMod()
	h.Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	if notModified(x.r, p.etag, mod) {
		x.w.WriteHeader(http.StatusNotModified)
		return
	}
	if x.r.Method == http.MethodGet && !x.truncate {
		a.firstServed.CompareAndSwap(0, x.now.UnixNano())
		a.served.Add(1)
		n.stats.add(&n.stats.s.ArticlePages)
	}
	x.w.Header().Add("Vary", "Accept-Encoding")
	if acceptsGzip(x.r) {
		x.w.Header().Set("Content-Encoding", "gzip")
		x.sendRaw(http.StatusOK, "text/html; charset=utf-8", p.gz)
		return
	}
	x.sendRaw(http.StatusOK, "text/html; charset=utf-8", p.body())
}

func notModified(r *http.Request, etag string, mod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimSpace(t); t == etag || t == "W/"+etag || t == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !mod.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
}

// page is a rendered article version, cached gzipped (a third of the size, and what
// crawlers ask for): serving one is a pointer load and a write. Clients that do not accept
// gzip get it inflated on the fly.
type page struct {
	gz   []byte
	size int
	etag string
}

func (p *page) body() []byte {
	zr, err := gzip.NewReader(bytes.NewReader(p.gz))
	if err != nil {
		return nil
	}
	b := make([]byte, 0, p.size)
	buf := bytes.NewBuffer(b)
	io.Copy(buf, zr)
	return buf.Bytes()
}

func (n *Network) page(a *article, amp, v2 bool) *page {
	i, j := b2i(amp), b2i(v2)
	if p := a.pages[i][j].Load(); p != nil {
		return p
	}
	n.mu.RLock()
	body := n.w.renderArticle(a, amp, v2)
	n.mu.RUnlock()
	p := &page{gz: gzipBytes(body), size: len(body), etag: fmt.Sprintf(`"%d-%d%d-%08x"`, a.id, i, j, crc32.ChecksumIEEE(body))}
	a.pages[i][j].Store(p)
	return p
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// gzipWriters are reused: a gzip writer carries about a megabyte of tables.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// send answers with body, gzipped when the client asks and the body is worth it.
func (x *exchange) send(status int, ctype string, body []byte) {
	var gz []byte
	if len(body) > 512 && acceptsGzip(x.r) {
		gz = gzipBytes(body)
	}
	x.sendCached(status, ctype, body, gz)
}

// sendCached answers with body, or its gzipped form gz when the client accepts it.
func (x *exchange) sendCached(status int, ctype string, body, gz []byte) {
	h := x.w.Header()
	if gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(x.r) {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	x.sendRaw(status, ctype, body)
}

// sendRaw answers with body as is. Under the truncate fault, Content-Length announces the
// whole body but only two thirds are sent; net/http then closes the connection.
func (x *exchange) sendRaw(status int, ctype string, body []byte) {
	h := x.w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "max-age=60")
	}
	h.Set("Server", "cloudflare")
	x.w.WriteHeader(status)
	if x.r.Method == http.MethodHead {
		return
	}
	if x.truncate && len(body) > 1 {
		body = body[:len(body)*2/3]
	}
	x.w.Write(body)
}

func (x *exchange) redirect(loc string, code int) {
	x.w.Header().Set("Location", loc)
	x.sendRaw(code, "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><head><title>"+strconv.Itoa(code)+" "+http.StatusText(code)+
		"</title></head><body><a href=\""+esc(loc)+"\">"+esc(loc)+"</a></body></html>\n"))
}

func (x *exchange) notFound(seq *sequence) { x.sendStatusPage(http.StatusNotFound, seq) }

func (x *exchange) sendStatusPage(code int, seq *sequence) {
	x.send(code, "text/html; charset=utf-8", x.n.w.renderNotFound(seq))
}

// listed is the part of list (ascending ids) a reader sees now: published and not deleted.
func listed(a *article, now time.Time) bool {
	gone, _ := a.state()
	return a.visible(now) && !gone
}

// before returns up to limit listed articles of list older than id (all when id is 0),
// newest first, after skipping skip of them.
func before(list []*article, id int64, now time.Time, skip, limit int) (items []*article, more bool) {
	i := len(list)
	if id > 0 {
		i = sort.Search(len(list), func(i int) bool { return list[i].id >= id })
	}
	for j := i - 1; j >= 0; j-- {
		a := list[j]
		if !listed(a, now) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(items) == limit {
			return items, true
		}
		items = append(items, a)
	}
	return items, false
}

const listingPage = 50

func (x *exchange) listing(seq *sequence, cat *category) {
	page := 1
	if p, err := strconv.Atoi(x.r.URL.Query().Get("page")); err == nil && p > 1 && p < 1_000_000 {
		page = p
	}
	x.n.mu.RLock()
	list := seq.arts
	if cat != nil {
		list = seq.byCat[cat.slug]
	}
	items, more := before(list, 0, x.now, (page-1)*listingPage, listingPage)
	var body []byte
	if page == 1 || len(items) > 0 {
		body = x.n.w.renderListing(seq, cat, items, page, more)
	}
	x.n.mu.RUnlock()
	if body == nil {
		x.notFound(seq)
		return
	}
	x.send(http.StatusOK, "text/html; charset=utf-8", body)
}

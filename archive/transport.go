package archive

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// TransportOptions configures the recording transport.
type TransportOptions struct {
	// DialContext opens every TCP connection, for http and https alike. The
	// crawler passes its own (--resolve map, IPv4 first, scope checks).
	// Default: a plain net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig is cloned for each connection; ServerName defaults to the
	// URL's host and ALPN is forced to http/1.1.
	TLSConfig *tls.Config

	// MaxBodySize caps the body as received on the wire (before de-chunking
	// and decoding), so it caps the record too. A longer body is cut, give
	// or take a chunk header, archived with WARC-Truncated: length and
	// returned with Capture.Truncated set. Default 16 MiB.
	MaxBodySize int64
	// MaxDecodedSize caps the decoded body handed back (gzip bombs).
	// Default 4 × MaxBodySize.
	MaxDecodedSize int64

	ConnectTimeout        time.Duration // default 30 s
	TLSHandshakeTimeout   time.Duration // default 15 s
	ResponseHeaderTimeout time.Duration // request sent to headers read; default 30 s
	BodyTimeout           time.Duration // the whole body; default 2 min

	// MaxIdleConnsPerHost keeps connections for reuse; negative disables
	// keep-alive. Default 2.
	MaxIdleConnsPerHost int
	// IdleConnTimeout closes connections idle that long. Default 60 s.
	IdleConnTimeout time.Duration

	// Reserve, when set, is asked for room before the transport holds a body
	// over LargeBody bytes: with its Content-Length before reading it, with
	// MaxBodySize once a body of unknown length grows past LargeBody, and with
	// the decoded size when decoding makes the body bigger than that. Each call
	// says how much the response needs in all, not how much more. It may block
	// (the crawler's memory budget); an error ends the request, with what was
	// received archived as truncated. Every release it returns is called when
	// RoundTrip returns; a caller that keeps the body longer holds the room
	// itself.
	Reserve func(ctx context.Context, n int64) (release func(), err error)
}

// LargeBody is the body size from which the transport asks Reserve for room.
// Smaller bodies are not worth the bookkeeping: a crawler's workers holding
// one each is a few MB.
const LargeBody = 1 << 20

func (o *TransportOptions) setDefaults() {
	if o.DialContext == nil {
		o.DialContext = (&net.Dialer{}).DialContext
	}
	if o.MaxBodySize <= 0 {
		o.MaxBodySize = 16 << 20
	}
	if o.MaxDecodedSize <= 0 {
		o.MaxDecodedSize = 4 * o.MaxBodySize
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ConnectTimeout, 30*time.Second)
	def(&o.TLSHandshakeTimeout, 15*time.Second)
	def(&o.ResponseHeaderTimeout, 30*time.Second)
	def(&o.BodyTimeout, 2*time.Minute)
	def(&o.IdleConnTimeout, 60*time.Second)
	if o.MaxIdleConnsPerHost == 0 {
		o.MaxIdleConnsPerHost = 2
	}
}

// Transport is an http.RoundTripper that archives every exchange before it
// returns the response. It speaks HTTP/1.1 itself (no HTTP/2) so that the
// bytes in the WARC are the bytes on the wire, reads the whole response
// inside RoundTrip, and returns it with the body decoded and the capture
// location in the CaptureHeader header.
type Transport struct {
	w    *Writer
	opts TransportOptions

	mu    sync.Mutex
	idle  map[string][]*persistConn
	swept time.Time
}

// Transport returns a recording transport that writes to w. Plug it into an
// http.Client or colly's Collector.WithTransport.
func (w *Writer) Transport(opts TransportOptions) *Transport {
	opts.setDefaults()
	return &Transport{w: w, opts: opts, idle: make(map[string][]*persistConn), swept: time.Now()}
}

// IncompleteError is returned when a response died mid-body (disconnect,
// timeout, cancellation). What was received is archived, with
// WARC-Truncated, at Capture; the caller should retry.
type IncompleteError struct {
	Capture Capture
	Reason  string // the WARC-Truncated value: disconnect, time or unspecified
	Err     error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("response incomplete (%s; partial capture in %s at %d): %v",
		e.Reason, e.Capture.File, e.Capture.Offset, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }

// RoundTrip implements http.RoundTripper. It returns a response only once
// the exchange is archived.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		closeBody(req)
		return nil, errors.New("archive: request without URL")
	}
	ctx := req.Context()
	scheme := strings.ToLower(req.URL.Scheme)
	host := req.URL.Hostname()
	port := req.URL.Port()
	switch {
	case host == "":
		closeBody(req)
		return nil, fmt.Errorf("archive: %s: no host", req.URL)
	case scheme == "http" && port == "":
		port = "80"
	case scheme == "https" && port == "":
		port = "443"
	case scheme != "http" && scheme != "https":
		closeBody(req)
		return nil, fmt.Errorf("archive: %s: unsupported scheme %q", req.URL, scheme)
	}
	if t.w.isClosed() {
		closeBody(req) // never fetch what cannot be archived
		return nil, ErrClosed
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	wrap := func(err error) error { return fmt.Errorf("archive: %s %s: %w", method, req.URL, err) }
	reqBytes, err := requestBytes(req)
	if err != nil {
		return nil, wrap(err)
	}
	addr := net.JoinHostPort(host, port)
	key := scheme + "://" + addr
	var (
		ex   *exchange
		pc   *persistConn
		sent time.Time
		room roomHeld
	)
	defer room.release()
	for attempt := 0; ; attempt++ {
		pc, err = t.getConn(ctx, key, scheme, addr, host)
		if err != nil {
			return nil, wrap(ctxErr(ctx, err))
		}
		sent = time.Now()
		var received int
		ex, received, err = t.exchange(ctx, pc, req, reqBytes, &room)
		if err == nil {
			break
		}
		pc.close()
		// A kept connection the server had already closed: try a new one,
		// as net/http does, when nothing came back and a retry is safe.
		if pc.reuse > 0 && received == 0 && attempt == 0 && replayable(method) && ctx.Err() == nil {
			continue
		}
		return nil, wrap(ctxErr(ctx, err))
	}
	capture, err := t.archive(req, reqBytes, pc, ex, sent)
	if ex.aliased || cap(pc.rec.buf) > maxKeptBuffer {
		// The body handed back is the recorded bytes, or they are big: either
		// way they are not the next response's buffer.
		pc.rec.detach()
	}
	if err != nil || !ex.reusable {
		pc.close()
	} else {
		t.putConn(pc)
	}
	if err != nil {
		return nil, wrap(err)
	}
	if ex.err != nil {
		return nil, wrap(&IncompleteError{Capture: capture, Reason: ex.truncated, Err: ex.err})
	}
	resp, err := t.response(ctx, req, pc, ex, capture, &room)
	if err != nil {
		return nil, wrap(err)
	}
	return resp, nil
}

// roomHeld is what one RoundTrip was granted by TransportOptions.Reserve.
type roomHeld struct {
	n        int64
	releases []func()
}

// reserve asks for n bytes in all; asking for no more than already granted
// is free.
func (r *roomHeld) reserve(ctx context.Context, fn func(context.Context, int64) (func(), error), n int64) error {
	if fn == nil || n <= r.n {
		return nil
	}
	rel, err := fn(ctx, n)
	if err != nil {
		return fmt.Errorf("reserve %d bytes for the body: %w", n, err)
	}
	r.n = n
	if rel != nil {
		r.releases = append(r.releases, rel)
	}
	return nil
}

func (r *roomHeld) release() {
	for _, rel := range r.releases {
		rel()
	}
	r.releases = nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func replayable(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}

// requestBytes serializes the request as it will be sent. Accept-Encoding
// defaults to gzip: Cloudflare answers zstd when it is offered.
func requestBytes(req *http.Request) ([]byte, error) {
	r := req.Clone(req.Context())
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if r.Header.Get("Accept-Encoding") == "" {
		r.Header.Set("Accept-Encoding", "gzip")
	}
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		return nil, fmt.Errorf("write request: %w", err)
	}
	return buf.Bytes(), nil
}

// exchange is one request and the response as received.
type exchange struct {
	raw       []byte // the response bytes, as parsed off the wire
	firstHead int    // end of the first header block: where WARC readers see the payload start
	head      int    // end of the final (non-1xx) header block
	resp      *http.Response
	entity    []byte // the body, de-chunked, still content-encoded
	aliased   bool   // entity is raw[head:], not a copy
	truncated string // WARC-Truncated reason, "" when complete
	err       error  // why the body ended early (not for "length")
	reusable  bool
}

// minAlias is the body size from which a body sent without chunking is handed
// out as the recorded bytes rather than copied: below it the copy is cheaper
// than a fresh recording buffer for the next response.
const minAlias = 64 << 10

// exchange sends the request and reads the whole response. It fails only
// when no response head arrived; a body cut short is reported in ex.
func (t *Transport) exchange(ctx context.Context, pc *persistConn, req *http.Request, reqBytes []byte, room *roomHeld) (ex *exchange, received int, err error) {
	stop := context.AfterFunc(ctx, func() { pc.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	pc.rec.reset(maxHeaderBytes)
	pc.conn.SetDeadline(time.Now().Add(t.opts.ResponseHeaderTimeout))
	if _, err := pc.conn.Write(reqBytes); err != nil {
		return nil, 0, fmt.Errorf("send request: %w", err)
	}
	ex = &exchange{}
	consumed := func() int { return len(pc.rec.buf) - pc.br.Buffered() }
	for {
		resp, err := http.ReadResponse(pc.br, req)
		if err != nil {
			return nil, len(pc.rec.buf), fmt.Errorf("read response head: %w", err)
		}
		if ex.firstHead == 0 {
			ex.firstHead = consumed()
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			ex.resp = resp
			break
		}
	}
	ex.head = consumed()
	pc.rec.limit = -1
	pc.conn.SetReadDeadline(time.Now().Add(t.opts.BodyTimeout))

	// A body sent as it is (no chunking) is the recorded bytes after the head, so
	// a big one is handed out as that slice: a copy would double what each fetch
	// of a big page holds.
	length := ex.resp.ContentLength
	if ex.resp.Body == http.NoBody {
		length = 0 // a HEAD's Content-Length is the GET's
	}
	plain := len(ex.resp.TransferEncoding) == 0
	ex.aliased = plain && (length > minAlias || length < 0)
	if length > LargeBody {
		if err := room.reserve(ctx, t.opts.Reserve, min(length, t.opts.MaxBodySize)); err != nil {
			ex.err, ex.truncated = err, "unspecified"
		}
	}
	var entity bytes.Buffer
	if length > 0 && ex.err == nil {
		want := int(min(length, t.opts.MaxBodySize))
		if ex.aliased {
			pc.rec.reserve(want + 1 - (len(pc.rec.buf) - ex.head)) // +1: the probe at the cap
		} else {
			entity.Grow(want)
		}
	}
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	capEnd := ex.head + int(t.opts.MaxBodySize)
	for ex.err == nil {
		left := capEnd - consumed()
		n := len(buf)
		if left <= 0 {
			n = 1 // at the cap: is there more?
		} else if left < n {
			n = left
		}
		k, err := ex.resp.Body.Read(buf[:n])
		if !ex.aliased {
			entity.Write(buf[:k])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			ex.err, ex.truncated = ctxErr(ctx, err), truncReason(ctx, err)
			break
		}
		if left <= 0 && k > 0 {
			ex.truncated = "length"
			break
		}
		if length < 0 && consumed()-ex.head > LargeBody {
			// Of unknown length and already big: room for the most it may be.
			if err := room.reserve(ctx, t.opts.Reserve, t.opts.MaxBodySize); err != nil {
				ex.err, ex.truncated = err, "unspecified"
			}
		}
	}
	ex.raw = pc.rec.buf[:consumed()]
	if ex.aliased {
		ex.entity = ex.raw[ex.head:]
	} else {
		ex.entity = entity.Bytes()
	}
	ex.reusable = ex.truncated == "" && !ex.resp.Close && ex.resp.StatusCode != http.StatusSwitchingProtocols &&
		pc.br.Buffered() == 0 && t.opts.MaxIdleConnsPerHost > 0
	return ex, len(pc.rec.buf), nil
}

var readBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func truncReason(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return "unspecified"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "time"
	}
	return "disconnect"
}

// archive writes the request and response (or revisit) records and returns
// where the response went.
func (t *Transport) archive(req *http.Request, reqBytes []byte, pc *persistConn, ex *exchange, sent time.Time) (Capture, error) {
	date := sent.UTC().Truncate(time.Second)
	uri := req.URL.String()
	respID, reqID := newRecordID(), newRecordID()
	payload := ex.raw[ex.firstHead:]
	digest := digestOf(payload)
	complete := ex.truncated == "" && len(payload) > 0 && ex.firstHead == ex.head
	var (
		ref     dedupeRef
		revisit bool
	)
	if complete {
		ref, revisit = t.w.original(uri, digest)
	}

	var h Fields
	if revisit {
		h.add(hType, "revisit")
	} else {
		h.add(hType, "response")
	}
	h.add(hRecordID, respID)
	h.add(hDate, warcDate(date))
	h.add(hTargetURI, uri)
	h.add(hIPAddress, pc.ip)
	if revisit {
		h.add(hProfile, profileIdentical)
		h.add(hRefersTo, ref.recordID())
		h.add(hRefersToURI, uri)
		h.add(hRefersToDate, ref.warcDate())
	}
	h.add(hPayloadDigest, digest)
	h.add(hTruncated, ex.truncated)
	h.add(hContentType, mimeHTTPResponse)
	block := ex.raw
	if revisit {
		block = ex.raw[:ex.head]
	}
	store := -1
	if !revisit && incompressible(ex.resp.Header.Get("Content-Encoding"), ex.resp.Header.Get("Content-Type")) {
		store = ex.head
	}
	respRec, err := compressStoring(h, [][]byte{block}, store)
	if err != nil {
		return Capture{}, err
	}

	var rh Fields
	rh.add(hType, "request")
	rh.add(hRecordID, reqID)
	rh.add(hDate, warcDate(date))
	rh.add(hTargetURI, uri)
	rh.add(hIPAddress, pc.ip)
	rh.add(hConcurrentTo, respID)
	reqPayload := []byte(nil)
	if i := bytes.Index(reqBytes, []byte("\r\n\r\n")); i >= 0 {
		reqPayload = reqBytes[i+4:]
	}
	rh.add(hPayloadDigest, digestOf(reqPayload))
	rh.add(hContentType, mimeHTTPRequest)
	reqRec, err := compress(rh, reqBytes)
	if err != nil {
		return Capture{}, err
	}

	respRec.entry = &indexEntry{Capture: Capture{
		URL: uri, Time: date, RecordID: respID, PayloadDigest: digest, Status: ex.resp.StatusCode,
		MIME: mediaType(ex.resp.Header.Get("Content-Type")), Revisit: revisit, Truncated: ex.truncated != "",
	}, truncated: ex.truncated}
	respRec.dedupe = complete && !revisit
	if err := t.w.commit(reqRec, respRec); err != nil {
		return Capture{}, err
	}
	return respRec.entry.Capture, nil
}

// response builds what RoundTrip returns: the body from memory, decoded.
func (t *Transport) response(ctx context.Context, req *http.Request, pc *persistConn, ex *exchange, c Capture, room *roomHeld) (*http.Response, error) {
	r := ex.resp
	h := r.Header
	h.Del(CaptureHeader)
	body := ex.entity
	decoded := false
	if ce := h.Get("Content-Encoding"); ce != "" {
		out, cut, err := decodeBody(body, ce, t.opts.MaxDecodedSize)
		if !errors.Is(err, errUnknownEncoding) {
			if err != nil && !c.Truncated {
				t.w.log.Warn("archive: cannot decode body; returning what decoded", "url", c.URL, "encoding", ce, "err", err)
			}
			if cut {
				t.w.log.Warn("archive: decoded body over cap; cut", "url", c.URL, "cap", t.opts.MaxDecodedSize)
			}
			body, decoded = out, true
			h.Del("Content-Encoding")
			h.Del("Content-Length")
		}
	}
	if n := int64(len(body)); n > LargeBody {
		if err := room.reserve(ctx, t.opts.Reserve, n); err != nil {
			return nil, err
		}
	}
	setCapture(h, c)
	return &http.Response{
		Status: r.Status, StatusCode: r.StatusCode,
		Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor,
		Header: h, Trailer: r.Trailer,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Uncompressed:  decoded,
		Request:       req,
		TLS:           pc.tls,
	}, nil
}

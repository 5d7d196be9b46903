package archive

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

func TestRoundTripHTTP(t *testing.T) {
	const page = "<html><body>Pravda Nihon</body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	url := srv.URL + "/world/2025/01/02/123.html"
	resp, body := fetch(t, newClient(w, TransportOptions{}), url)
	if string(body) != page {
		t.Fatalf("body %q", body)
	}
	c, ok := CaptureOf(resp)
	if !ok {
		t.Fatal("no capture")
	}
	if c.Status != 200 || c.MIME != "text/html" || c.Revisit || c.Truncated || c.File == "" || c.Offset == 0 || c.URL != url {
		t.Errorf("capture %+v", c)
	}
	rec, err := ReadRecord(dir, c.File, c.Offset)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != "response" || string(rec.Payload) != page || rec.Status != 200 || rec.URL != url || rec.Incomplete {
		t.Errorf("record %+v", rec)
	}
	if rec.ID != c.RecordID || rec.Header.Get(hPayloadDigest) != c.PayloadDigest {
		t.Errorf("record id/digest %s %s, capture %s %s", rec.ID, rec.Header.Get(hPayloadDigest), c.RecordID, c.PayloadDigest)
	}
	if !bytes.HasPrefix(rec.HTTPHeader, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(rec.HTTPHeader, []byte("\r\n\r\n")) {
		t.Errorf("http header %q", rec.HTTPHeader)
	}
	if ip := rec.Header.Get(hIPAddress); ip != "127.0.0.1" {
		t.Errorf("WARC-IP-Address %q", ip)
	}
	// The request record sits just before, pointing at the response.
	recs := allRecords(t, dir)[c.File+openSuffix]
	if len(recs) != 3 || recs[0].fields.Get(hType) != "warcinfo" || recs[1].fields.Get(hType) != "request" {
		t.Fatalf("records %d", len(recs))
	}
	if got := recs[1].fields.Get(hConcurrentTo); got != c.RecordID {
		t.Errorf("request WARC-Concurrent-To %q, want %q", got, c.RecordID)
	}
	if !bytes.HasPrefix(recs[1].block, []byte("GET /world/2025/01/02/123.html HTTP/1.1\r\n")) ||
		!bytes.Contains(recs[1].block, []byte("Accept-Encoding: gzip\r\n")) {
		t.Errorf("request block %q", recs[1].block)
	}
	// Walk reads the file while it is still being written.
	var walked []string
	if err := Walk(t.Context(), dir, func(r *Record) error { walked = append(walked, r.ID); return nil }); err != nil || len(walked) != 1 || walked[0] != c.RecordID {
		t.Errorf("walk of open file: %v %v", walked, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rep := mustVerify(t, dir)
	if rep.Records != 3 || rep.IndexLines != 1 || rep.Files != 1 {
		t.Errorf("report %+v", rep)
	}
}

func TestRoundTripHTTPSUsesDialer(t *testing.T) {
	const page = "<html>japan</html>"
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 1 {
			t.Errorf("server saw %s", r.Proto)
		}
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	opts, dl := tlsOptions(srv)
	// example.com is in the httptest certificate; the dialer maps it to the server.
	resp, body := fetch(t, newClient(w, opts), "https://example.com/japan/")
	if string(body) != page {
		t.Fatalf("body %q", body)
	}
	if resp.TLS == nil || resp.TLS.NegotiatedProtocol == "h2" {
		t.Errorf("TLS state %+v", resp.TLS)
	}
	if got := dl.asked(); len(got) != 1 || got[0] != "example.com:443" {
		t.Errorf("dialer asked for %v", got)
	}
	c, _ := CaptureOf(resp)
	rec, err := ReadRecord(dir, c.File, c.Offset)
	if err != nil || string(rec.Payload) != page || rec.URL != "https://example.com/japan/" {
		t.Fatalf("record %+v, %v", rec, err)
	}
	w.Close()
	mustVerify(t, dir)
}

func TestTLSFailureIsErrorAndNotArchived(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	opts, _ := tlsOptions(srv)
	opts.TLSConfig = nil // system roots do not trust the test CA
	_, err := newClient(w, opts).Get("https://example.com/")
	if err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("err %v", err)
	}
	if caps, _ := w.Lookup("https://example.com/"); len(caps) != 0 {
		t.Errorf("captures %v", caps)
	}
}

// TestWireBytesExact checks the WARC holds the bytes as sent: odd header
// case and spacing, chunked framing, a chunk extension and a trailer.
func TestWireBytesExact(t *testing.T) {
	const wire = "HTTP/1.1 200 OK\r\n" +
		"content-TYPE:text/html;charset=UTF-8\r\n" +
		"X-Odd:   spaced  \r\n" +
		"Transfer-Encoding: chunked\r\n" +
		"\r\n" +
		"5;ext=1\r\nhello\r\n" +
		"7\r\n, world\r\n" +
		"0\r\nX-Trailer: yes\r\n\r\n"
	srv := newRawServer(t, func(c net.Conn, req []byte) bool {
		io.WriteString(c, wire)
		return true
	})
	dir := t.TempDir()
	w := openWriter(t, dir)
	resp, body := fetch(t, newClient(w, TransportOptions{}), srv.url("/a?b=1"))
	if string(body) != "hello, world" {
		t.Fatalf("body %q", body)
	}
	c, _ := CaptureOf(resp)
	raw := rawAt(t, dir, c)
	if string(raw.block) != wire {
		t.Errorf("response block\n%q\nwant\n%q", raw.block, wire)
	}
	if got, want := raw.fields.Get(hPayloadDigest), digestOf([]byte(wire[strings.Index(wire, "\r\n\r\n")+4:])); got != want {
		t.Errorf("payload digest %s, want %s (over the chunked payload)", got, want)
	}
	recs := allRecords(t, dir)[c.File+openSuffix]
	if got := recs[len(recs)-2].block; !bytes.Equal(got, srv.lastRequest()) {
		t.Errorf("request block\n%q\nserver got\n%q", got, srv.lastRequest())
	}
	rec, _ := ReadRecord(dir, c.File, c.Offset)
	if string(rec.Payload) != "hello, world" || rec.MIME != "text/html" {
		t.Errorf("read back %q %q", rec.Payload, rec.MIME)
	}
	w.Close()
	mustVerify(t, dir)
}

func compressWith(t testing.TB, enc string, data []byte) []byte {
	var b bytes.Buffer
	switch enc {
	case "gzip":
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
	case "deflate":
		zw, _ := flate.NewWriter(&b, 5) // raw deflate, as some servers send it
		zw.Write(data)
		zw.Close()
	case "zstd":
		zw, _ := zstd.NewWriter(&b)
		zw.Write(data)
		zw.Close()
	case "br":
		zw := brotli.NewWriter(&b)
		zw.Write(data)
		zw.Close()
	default:
		t.Fatalf("encoding %s", enc)
	}
	return b.Bytes()
}

func TestContentEncodingsDecoded(t *testing.T) {
	page := bytes.Repeat([]byte("<p>東京都知事</p>\n"), 500)
	for _, enc := range []string{"gzip", "zstd", "br", "deflate"} {
		t.Run(enc, func(t *testing.T) {
			encoded := compressWith(t, enc, page)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Accept-Encoding") != "gzip" {
					t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
				}
				w.Header().Set("Content-Encoding", enc)
				w.Write(encoded)
			}))
			defer srv.Close()
			dir := t.TempDir()
			w := openWriter(t, dir)
			resp, body := fetch(t, newClient(w, TransportOptions{}), srv.URL+"/")
			if !bytes.Equal(body, page) {
				t.Fatalf("decoded %d bytes, want %d", len(body), len(page))
			}
			if resp.Header.Get("Content-Encoding") != "" || !resp.Uncompressed {
				t.Errorf("Content-Encoding %q, Uncompressed %v", resp.Header.Get("Content-Encoding"), resp.Uncompressed)
			}
			c, _ := CaptureOf(resp)
			raw := rawAt(t, dir, c)
			if !bytes.HasSuffix(raw.block, encoded) {
				t.Error("WARC does not hold the encoded body as received")
			}
			if c.PayloadDigest != digestOf(encoded) {
				t.Errorf("payload digest %s, want digest of the encoded body", c.PayloadDigest)
			}
			rec, _ := ReadRecord(dir, c.File, c.Offset)
			if !bytes.Equal(rec.Payload, page) || rec.Incomplete {
				t.Errorf("ReadRecord payload %d bytes, incomplete %v", len(rec.Payload), rec.Incomplete)
			}
			w.Close()
			mustVerify(t, dir)
		})
	}
}

func TestUnknownEncodingPassedThrough(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "x-custom")
		w.Write([]byte("opaque"))
	}))
	defer srv.Close()
	w := openWriter(t, t.TempDir())
	resp, body := fetch(t, newClient(w, TransportOptions{}), srv.URL)
	if string(body) != "opaque" || resp.Header.Get("Content-Encoding") != "x-custom" || resp.Uncompressed {
		t.Errorf("body %q, encoding %q", body, resp.Header.Get("Content-Encoding"))
	}
}

func TestBodyOverCapTruncated(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 1000) // 10,000 bytes
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !chunked {
					w.Header().Set("Content-Length", fmt.Sprint(len(big)))
				}
				for i := 0; i < len(big); i += 1000 {
					w.Write(big[i : i+1000])
					w.(http.Flusher).Flush()
				}
			}))
			defer srv.Close()
			dir := t.TempDir()
			w := openWriter(t, dir)
			resp, body := fetch(t, newClient(w, TransportOptions{MaxBodySize: 2500}), srv.URL)
			c, _ := CaptureOf(resp)
			if !c.Truncated {
				t.Error("capture not flagged truncated")
			}
			if len(body) < 2000 || len(body) > 2501 || !bytes.HasPrefix(big, body) {
				t.Errorf("returned %d bytes", len(body))
			}
			raw := rawAt(t, dir, c)
			if raw.fields.Get(hTruncated) != "length" {
				t.Errorf("WARC-Truncated %q", raw.fields.Get(hTruncated))
			}
			head := bytes.Index(raw.block, []byte("\r\n\r\n")) + 4
			if n := len(raw.block) - head; n < 2500 || n > 2500+64 { // chunk framing may overshoot a little
				t.Errorf("recorded body %d bytes, cap 2500", n)
			}
			rec, _ := ReadRecord(dir, c.File, c.Offset)
			if !rec.Incomplete || !bytes.Equal(rec.Payload, body) {
				t.Errorf("read back %d bytes (incomplete %v), returned %d", len(rec.Payload), rec.Incomplete, len(body))
			}
			w.Close()
			mustVerify(t, dir)
		})
	}
}

func TestBodyAtCapIsComplete(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 2500)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	w := openWriter(t, t.TempDir())
	resp, got := fetch(t, newClient(w, TransportOptions{MaxBodySize: 2500}), srv.URL)
	if c, _ := CaptureOf(resp); c.Truncated || !bytes.Equal(got, body) {
		t.Errorf("truncated %v, %d bytes", c.Truncated, len(got))
	}
}

func TestResetMidBodyArchivedAsTruncated(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, req []byte) bool {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n")
		c.Write(bytes.Repeat([]byte("a"), 3000))
		c.(*net.TCPConn).SetLinger(0) // RST, not FIN
		return false
	})
	dir := t.TempDir()
	w := openWriter(t, dir)
	_, err := newClient(w, TransportOptions{}).Get(srv.url("/reset"))
	var ie *IncompleteError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v, want IncompleteError", err)
	}
	if ie.Reason != "disconnect" || !ie.Capture.Truncated {
		t.Errorf("reason %q, capture %+v", ie.Reason, ie.Capture)
	}
	raw := rawAt(t, dir, ie.Capture)
	if raw.fields.Get(hTruncated) != "disconnect" {
		t.Errorf("WARC-Truncated %q", raw.fields.Get(hTruncated))
	}
	if !bytes.HasSuffix(raw.block, bytes.Repeat([]byte("a"), 3000)) {
		t.Error("received bytes not archived")
	}
	w.Close()
	mustVerify(t, dir)
}

func TestBodyTimeout(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, req []byte) bool {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
		time.Sleep(2 * time.Second)
		return false
	})
	w := openWriter(t, t.TempDir())
	start := time.Now()
	_, err := newClient(w, TransportOptions{BodyTimeout: 200 * time.Millisecond}).Get(srv.url("/slow"))
	var ie *IncompleteError
	if !errors.As(err, &ie) || ie.Reason != "time" {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestHeaderTimeoutAndCancel(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, req []byte) bool {
		time.Sleep(2 * time.Second)
		return false
	})
	dir := t.TempDir()
	w := openWriter(t, dir)
	client := newClient(w, TransportOptions{ResponseHeaderTimeout: 100 * time.Millisecond})
	if _, err := client.Get(srv.url("/")); err == nil {
		t.Error("no error on header timeout")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.url("/"), nil)
	start := time.Now()
	_, err := newClient(w, TransportOptions{}).Do(req)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
	if caps, _ := w.Lookup(srv.url("/")); len(caps) != 0 {
		t.Errorf("nothing was received, yet %d captures", len(caps))
	}
}

func TestHugeHeaderRefused(t *testing.T) {
	srv := newRawServer(t, func(c net.Conn, req []byte) bool {
		io.WriteString(c, "HTTP/1.1 200 OK\r\n")
		line := "X-Junk: " + strings.Repeat("j", 1000) + "\r\n"
		for range 2000 {
			if _, err := io.WriteString(c, line); err != nil {
				return false
			}
		}
		return false
	})
	w := openWriter(t, t.TempDir())
	_, err := newClient(w, TransportOptions{}).Get(srv.url("/"))
	if err == nil || !errors.Is(err, errHeaderTooLarge) {
		t.Errorf("err %v", err)
	}
}

func TestKeepAliveAndStaleConnection(t *testing.T) {
	var mu sync.Mutex
	served := 0
	srv := newRawServer(t, func(c net.Conn, req []byte) bool {
		mu.Lock()
		served++
		n := served
		mu.Unlock()
		body := fmt.Sprintf("response %d", n)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		return n != 2 // the server drops the connection after the second response
	})
	w := openWriter(t, t.TempDir())
	client := newClient(w, TransportOptions{})
	for i := 1; i <= 3; i++ {
		_, body := fetch(t, client, srv.url(fmt.Sprintf("/%d", i)))
		if string(body) != fmt.Sprintf("response %d", i) {
			t.Errorf("request %d got %q", i, body)
		}
		time.Sleep(20 * time.Millisecond) // let the close reach us
	}
	if n := srv.connCount(); n != 2 {
		t.Errorf("%d connections, want 2 (reuse, then a new one after the server closed)", n)
	}
}

func TestServerCaptureHeaderIgnored(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(CaptureHeader, `{"url":"http://evil/","file":"../../etc/passwd","offset":1}`)
		fmt.Fprint(w, "x")
	}))
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	resp, _ := fetch(t, newClient(w, TransportOptions{}), srv.URL)
	c, _ := CaptureOf(resp)
	if strings.Contains(c.File, "passwd") || len(resp.Header.Values(CaptureHeader)) != 1 {
		t.Errorf("capture %+v", c)
	}
	// The server's header stays in the archive: it is what was received.
	if !bytes.Contains(rawAt(t, dir, c).block, []byte("passwd")) {
		t.Error("server header missing from WARC")
	}
}

func TestClosedWriterRefusesToFetch(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	w := openWriter(t, t.TempDir())
	client := newClient(w, TransportOptions{})
	w.Close()
	if _, err := client.Get(srv.URL); !errors.Is(err, ErrClosed) || hits != 0 {
		t.Errorf("err %v, hits %d", err, hits)
	}
}

func TestRedirectsEachArchived(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "moved here") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	resp, body := fetch(t, newClient(w, TransportOptions{}), srv.URL+"/old")
	c, _ := CaptureOf(resp)
	if string(body) != "moved here" || c.URL != srv.URL+"/new" {
		t.Errorf("body %q capture %+v", body, c)
	}
	old, _ := w.Lookup(srv.URL + "/old")
	if len(old) != 1 || old[0].Status != 301 {
		t.Errorf("redirect captures %+v", old)
	}
}

package archive

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

var errHeaderTooLarge = errors.New("response header too large")

// recorder keeps every byte read from a connection, so the response can be
// archived exactly as it came off the wire (after TLS).
type recorder struct {
	r     io.Reader
	buf   []byte
	limit int // while reading headers: fail past this many bytes; <0 none
}

func (r *recorder) Read(p []byte) (int, error) {
	if r.limit >= 0 {
		room := r.limit - len(r.buf)
		if room <= 0 {
			return 0, errHeaderTooLarge
		}
		p = p[:min(len(p), room)]
	}
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

// reset starts a new response in the same buffer. RoundTrip has detached a
// buffer too big to keep (or handed out) before the connection goes idle.
func (r *recorder) reset(limit int) {
	r.buf = r.buf[:0]
	r.limit = limit
}

// maxKeptBuffer is the largest recording buffer a connection keeps between
// responses: one big page must not stay pinned by every idle connection.
const maxKeptBuffer = 1 << 20

// reserve makes room for n more bytes, so that a body of known length is
// recorded into one allocation instead of a doubling series of copies (three
// times its size in garbage for a big page).
func (r *recorder) reserve(n int) {
	if n > cap(r.buf)-len(r.buf) {
		b := make([]byte, len(r.buf), len(r.buf)+n)
		copy(b, r.buf)
		r.buf = b
	}
}

// detach gives up the buffer, which a response now owns: the next response
// on the connection records into a new one.
func (r *recorder) detach() { r.buf = nil }

// persistConn is one HTTP/1.1 connection, kept for reuse between requests.
type persistConn struct {
	key   string
	conn  net.Conn // TLS conn for https
	rec   *recorder
	br    *bufio.Reader
	ip    string
	tls   *tls.ConnectionState
	idle  time.Time
	reuse int // requests served before the current one
}

func (pc *persistConn) close() { pc.conn.Close() }

// dial connects through the crawler's dialer, then does the TLS handshake.
func (t *Transport) dial(ctx context.Context, key, scheme, addr, host string) (*persistConn, error) {
	dctx, cancel := context.WithTimeout(ctx, t.opts.ConnectTimeout)
	defer cancel()
	raw, err := t.opts.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	pc := &persistConn{key: key, conn: raw, ip: remoteIP(raw)}
	if scheme == "https" {
		cfg := &tls.Config{}
		if t.opts.TLSConfig != nil {
			cfg = t.opts.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		cfg.NextProtos = []string{"http/1.1"} // never h2: the wire bytes must be HTTP/1.1
		tc := tls.Client(raw, cfg)
		hctx, cancel := context.WithTimeout(ctx, t.opts.TLSHandshakeTimeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			raw.Close()
			return nil, fmt.Errorf("tls handshake with %s: %w", addr, err)
		}
		st := tc.ConnectionState()
		pc.conn, pc.tls = tc, &st
	}
	pc.rec = &recorder{r: pc.conn, limit: -1}
	pc.br = bufio.NewReaderSize(pc.rec, 32<<10)
	return pc, nil
}

func remoteIP(c net.Conn) string {
	a := c.RemoteAddr()
	if a == nil {
		return ""
	}
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return ""
	}
	return host
}

// getConn returns an idle connection for key, or dials a new one.
func (t *Transport) getConn(ctx context.Context, key, scheme, addr, host string) (*persistConn, error) {
	t.mu.Lock()
	for list := t.idle[key]; len(list) > 0; list = t.idle[key] {
		pc := list[len(list)-1]
		t.idle[key] = list[:len(list)-1]
		if time.Since(pc.idle) > t.opts.IdleConnTimeout || pc.br.Buffered() > 0 {
			pc.close()
			continue
		}
		t.mu.Unlock()
		return pc, nil
	}
	t.mu.Unlock()
	return t.dial(ctx, key, scheme, addr, host)
}

// putConn keeps a connection whose last response was read to its end.
func (t *Transport) putConn(pc *persistConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.idle[pc.key]) >= t.opts.MaxIdleConnsPerHost {
		pc.close()
		return
	}
	pc.idle = time.Now()
	pc.reuse++
	pc.rec.reset(-1)
	t.idle[pc.key] = append(t.idle[pc.key], pc)
	if time.Since(t.swept) > t.opts.IdleConnTimeout {
		t.swept = time.Now()
		for k, list := range t.idle {
			keep := list[:0]
			for _, c := range list {
				if time.Since(c.idle) > t.opts.IdleConnTimeout {
					c.close()
				} else {
					keep = append(keep, c)
				}
			}
			t.idle[k] = keep
			if len(keep) == 0 {
				delete(t.idle, k)
			}
		}
	}
}

// CloseIdleConnections closes the connections kept for reuse.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, list := range t.idle {
		for _, pc := range list {
			pc.close()
		}
		delete(t.idle, k)
	}
}

package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// testLogger logs through t so failures show what the Writer did.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func openWriter(t testing.TB, dir string, opts ...Option) *Writer {
	t.Helper()
	w, err := Open(dir, append([]Option{WithLogger(testLogger(t))}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func newClient(w *Writer, opts TransportOptions) *http.Client {
	return &http.Client{Transport: w.Transport(opts)}
}

// tlsOptions trusts an httptest TLS server and sends every connection to it
// whatever the host name, the way the crawler's --resolve map does.
func tlsOptions(srv *httptest.Server) (TransportOptions, *dialLog) {
	d := &dialLog{to: srv.Listener.Addr().String()}
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	return TransportOptions{DialContext: d.dial, TLSConfig: &tls.Config{RootCAs: pool}}, d
}

// dialLog is a DialContext that records the addresses asked for.
type dialLog struct {
	to    string
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, addr)
	d.mu.Unlock()
	return (&net.Dialer{}).DialContext(ctx, network, d.to)
}

func (d *dialLog) asked() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// rawServer answers each request on a connection with what respond returns,
// written as is; respond gets the raw request head. It records accepted
// connections and the raw requests.
type rawServer struct {
	ln      net.Listener
	mu      sync.Mutex
	conns   int
	reqs    [][]byte
	respond func(c net.Conn, req []byte) (keepOpen bool)
}

func newRawServer(t testing.TB, respond func(c net.Conn, req []byte) bool) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln, respond: respond}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *rawServer) url(path string) string { return "http://" + s.ln.Addr().String() + path }

func (s *rawServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		go func() {
			defer c.Close()
			br := bufio.NewReader(c)
			for {
				var head bytes.Buffer
				for {
					line, err := br.ReadBytes('\n')
					head.Write(line)
					if err != nil {
						return
					}
					if len(line) <= 2 {
						break
					}
				}
				s.mu.Lock()
				s.reqs = append(s.reqs, head.Bytes())
				s.mu.Unlock()
				if !s.respond(c, head.Bytes()) {
					return
				}
			}
		}()
	}
}

func (s *rawServer) connCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *rawServer) lastRequest() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		return nil
	}
	return s.reqs[len(s.reqs)-1]
}

// fetch GETs url and returns the response with its body read.
func fetch(t testing.TB, c *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// rawAt returns the stored record at a capture, undecoded.
func rawAt(t testing.TB, dir string, c Capture) *rawRecord {
	t.Helper()
	f, err := openWARC(dir, c.File)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(c.Offset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	raw, err := newMemberReader(f, c.Offset).next()
	if err != nil {
		t.Fatalf("read record at %s:%d: %v", c.File, c.Offset, err)
	}
	if raw.length != c.Length {
		t.Errorf("record length %d, capture says %d", raw.length, c.Length)
	}
	return raw
}

// allRecords reads every record of every WARC file in dir, in order.
func allRecords(t testing.TB, dir string) map[string][]*rawRecord {
	t.Helper()
	files, err := listWARCs(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]*rawRecord)
	for _, wf := range files {
		f, err := os.Open(filepath.Join(dir, wf.name))
		if err != nil {
			t.Fatal(err)
		}
		mr := newMemberReader(f, 0)
		for {
			raw, err := mr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				t.Fatalf("%s: %v", wf.name, err)
			}
			out[wf.name] = append(out[wf.name], raw)
		}
		f.Close()
	}
	return out
}

// mustVerify fails the test if Verify finds any problem.
func mustVerify(t testing.TB, dir string) Report {
	t.Helper()
	rep, err := Verify(context.Background(), dir)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	for _, p := range rep.Problems {
		t.Errorf("Verify: %s", p)
	}
	return rep
}

// writeIndex writes the sorted CDXJ index of a closed WARC file atomically.
func writeIndex(dir, warcName string, lines [][]byte) error {
	s := newIndexSorter(dir, warcName)
	for _, l := range lines {
		s.add(l)
	}
	return s.finish()
}

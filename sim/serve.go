package sim

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Serve answers on l until ctx ends, plain HTTP and TLS on the same port: a connection whose
// first byte is 0x16 (a TLS handshake record) is served over TLS, any other over HTTP. In
// Live mode it also runs the ticker that publishes new stories. It returns nil once ctx
// ends.
func (n *Network) Serve(ctx context.Context, l net.Listener) error {
	sl := newSniffListener(l, n.TLSConfig(), n.log)
	srv := &http.Server{
		Handler:           n.Handler(),
		ReadHeaderTimeout: 15 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(slogWriter{n.log}, "", 0),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	if n.cfg.Live {
		go n.RunLive(ctx)
	}
	err := srv.Serve(sl)
	if ctx.Err() != nil && errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("sim: serve: %w", err)
}

// RunLive publishes one story every LiveEvery until ctx ends. Serve runs it in Live mode;
// call it yourself when serving Handler on a server of your own. A second concurrent call
// returns at once.
func (n *Network) RunLive(ctx context.Context) {
	if !n.live.CompareAndSwap(false, true) {
		return
	}
	defer n.live.Store(false)
	t := time.NewTicker(n.cfg.LiveEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.Publish(1)
		}
	}
}

type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Debug("http server", "msg", string(p))
	return len(p), nil
}

// sniffListener hands http.Server plain and TLS connections from one listener. Sniffing
// happens on a goroutine per connection so that a silent client cannot stall Accept.
type sniffListener struct {
	l     net.Listener
	tls   *tls.Config
	log   *slog.Logger
	conns chan net.Conn
	errc  chan error
	done  chan struct{}
	once  sync.Once
}

func newSniffListener(l net.Listener, cfg *tls.Config, lg *slog.Logger) *sniffListener {
	s := &sniffListener{l: l, tls: cfg, log: lg, conns: make(chan net.Conn), errc: make(chan error, 1), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *sniffListener) run() {
	for {
		c, err := s.l.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			select {
			case s.errc <- err:
			case <-s.done:
			}
			return
		}
		go s.sniff(c)
	}
}

func (s *sniffListener) sniff(c net.Conn) {
	br := bufio.NewReader(c)
	c.SetReadDeadline(time.Now().Add(15 * time.Second))
	first, err := br.Peek(1)
	if err == nil && first[0] == 'C' {
		first, err = s.connect(c, br)
	}
	c.SetReadDeadline(time.Time{})
	if err != nil {
		c.Close()
		return
	}
	var out net.Conn = &peekConn{Conn: c, r: br}
	if first[0] == 0x16 {
		out = tls.Server(out, s.tls)
	}
	select {
	case s.conns <- out:
	case <-s.done:
		c.Close()
	}
}

// connect answers a proxy's CONNECT as if it had opened the tunnel, whatever the target,
// and peeks at what comes through it: every host is served here anyway. It lets clients
// that cannot pin a host to an address (wget has no --connect-to) reach the simulator over
// https, with https_proxy pointing at it.
func (s *sniffListener) connect(c net.Conn, br *bufio.Reader) ([]byte, error) {
	if head, err := br.Peek(8); err != nil || string(head) != "CONNECT " {
		return br.Peek(1) // plain HTTP starting with C, or too short: served as it is
	}
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, err
	}
	req.Body.Close()
	if br.Buffered() > 0 {
		return nil, errors.New("sim: data sent before the CONNECT was answered")
	}
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return nil, err
	}
	return br.Peek(1)
}

func (s *sniffListener) Accept() (net.Conn, error) {
	select {
	case c := <-s.conns:
		return c, nil
	case err := <-s.errc:
		return nil, err
	case <-s.done:
		return nil, net.ErrClosed
	}
}

func (s *sniffListener) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.l.Close()
	})
	return err
}

func (s *sniffListener) Addr() net.Addr { return s.l.Addr() }

// peekConn replays the bytes read while sniffing.
type peekConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// abort closes a hijacked connection with a TCP RST where it can reach the TCP socket.
func abort(c net.Conn) {
	for {
		switch x := c.(type) {
		case *tls.Conn:
			c = x.NetConn()
		case *peekConn:
			c = x.Conn
		case *net.TCPConn:
			x.SetLinger(0)
			x.Close()
			return
		default:
			c.Close()
			return
		}
	}
}

// Server is a running simulator, as Start returns it.
type Server struct {
	Addr    string // host:port it listens on
	Network *Network

	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// Start generates the world for cfg and serves it on addr ("127.0.0.1:0" for any free
// port) until ctx ends or Close is called.
func Start(ctx context.Context, cfg Config, addr string) (*Server, error) {
	n, err := New(cfg)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sim: listen %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Server{Addr: l.Addr().String(), Network: n, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- n.Serve(ctx, l) }()
	n.log.Info("simulator listening", "addr", s.Addr)
	return s, nil
}

// Close stops the server and waits for it.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.cancel()
		s.err = <-s.done
	})
	return s.err
}

// ClientTLS is a client configuration that trusts the simulator's CA (and nothing else).
func (s *Server) ClientTLS() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.Network.CA())
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// DialContext connects to the simulator whatever address is asked for: the way a client
// reaches every simulated host without rewriting URLs (http.Transport.DialContext).
func (s *Server) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.Addr)
}

// Client is an HTTP client that sends every request to the simulator and trusts its CA.
// It follows redirects as http.Client does.
func (s *Server) Client() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         s.DialContext,
			TLSClientConfig:     s.ClientTLS(),
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     30 * time.Second,
		},
		Timeout: 60 * time.Second,
	}
}

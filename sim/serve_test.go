package sim

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func startSim(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	s, err := Start(context.Background(), cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestHTTPSAndHTTPOnOnePort reaches the simulator the way the crawler does: every host is
// dialled to the simulator's address (Transport.DialContext), URLs are left as they are,
// and TLS is verified against the simulator's CA.
func TestHTTPSAndHTTPOnOnePort(t *testing.T) {
	s := startSim(t, Config{Seed: 1})
	c := s.Client()
	tr := s.Network.Truth()[0]
	for _, u := range []string{
		tr.URL,
		strings.Replace(tr.URL, "https://", "http://", 1),
		"https://t.me/s/MID_Russia",
		"https://news-pravda.com/robots.txt",
		"https://canada.news-pravda.com/fr/api/blocks",
	} {
		res, err := c.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", u, res.StatusCode, len(body))
		}
		if strings.HasPrefix(u, "https://") != (res.TLS != nil) {
			t.Errorf("GET %s: TLS state %v", u, res.TLS != nil)
		}
		if res.TLS != nil {
			if err := res.TLS.PeerCertificates[0].VerifyHostname(res.Request.URL.Hostname()); err != nil {
				t.Errorf("%s: certificate: %v", u, err)
			}
		}
	}
	// Redirects are followed across hosts on the same connection target.
	res, err := c.Get(strings.Replace(tr.URL, "japan.news-pravda.com", "pravda-jp.com", 1))
	if err != nil || res.Request.URL.String() != tr.URL || res.StatusCode != 200 {
		t.Fatalf("alias via client: %v %v", err, res)
	}
	res.Body.Close()
	// Off-scope over TLS reaches the handler and is counted.
	res, err = c.Get("https://example.org/")
	if err != nil || res.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("example.org: %v %v", err, res)
	}
	res.Body.Close()
	if st := s.Network.Stats(); st.OffScopeHosts["example.org"] != 1 {
		t.Errorf("off-scope: %v", st.OffScopeHosts)
	}
}

// TestHTTPSThroughCONNECT reaches the simulator as an https proxy (CONNECT), the way
// clients that cannot pin hosts to an address (wget) do: the tunnel leads to the simulator
// itself, which then speaks TLS for the host the client names.
func TestHTTPSThroughCONNECT(t *testing.T) {
	s := startSim(t, Config{Seed: 1})
	proxy, _ := url.Parse("http://" + s.Addr)
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: s.ClientTLS()}}
	defer c.CloseIdleConnections()
	tr := s.Network.Truth()[0]
	for _, u := range []string{tr.URL, "https://t.me/s/MID_Russia", "http://news-pravda.com/robots.txt"} {
		res, err := c.Get(u)
		if err != nil {
			t.Fatalf("GET %s through CONNECT: %v", u, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", u, res.StatusCode, len(body))
		}
		if strings.HasPrefix(u, "https://") && (res.TLS == nil || res.TLS.PeerCertificates[0].VerifyHostname(res.Request.URL.Hostname()) != nil) {
			t.Errorf("GET %s: not TLS for its own host name", u)
		}
	}
}

func TestCA(t *testing.T) {
	s := startSim(t, Config{Seed: 1})
	block, _ := pem.Decode(s.Network.CA())
	if block == nil {
		t.Fatal("CA is not PEM")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !ca.IsCA {
		t.Fatalf("CA: %v, IsCA %v", err, ca != nil && ca.IsCA)
	}
	// A client that does not trust the CA is refused.
	strict := &http.Client{Transport: &http.Transport{DialContext: s.DialContext}}
	if _, err := strict.Get("https://japan.news-pravda.com/robots.txt"); err == nil {
		t.Error("a client without the simulator's CA connected")
	}
	// Without SNI (dialling an IP) the certificate is for the loopback address.
	conn, err := tls.Dial("tcp", s.Addr, s.ClientTLS())
	if err != nil {
		t.Fatalf("TLS to the IP: %v", err)
	}
	conn.Close()
}

// TestSilentClientDoesNotBlock: a connection that sends nothing must not hold up others.
func TestSilentClientDoesNotBlock(t *testing.T) {
	s := startSim(t, Config{Seed: 1})
	idle, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	done := make(chan error, 1)
	go func() {
		res, err := s.Client().Get("http://japan.news-pravda.com/robots.txt")
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a silent connection blocked another client")
	}
	// A raw HTTP/1.0 request without Host is answered (421: no host to route by).
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	line, _ := bufio.NewReader(c).ReadString('\n')
	if !strings.Contains(line, "421") {
		t.Errorf("no Host: %q", line)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	n := newNet(t, Config{Seed: 1})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Serve(ctx, l) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
}

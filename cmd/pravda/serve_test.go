package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/config"
	"github.com/pravda-archive/pravda/schedule"
	"github.com/pravda-archive/pravda/sim"
)

// serveConfig writes a config for a daemon crawling the simulator srv as one group.
func serveConfig(t *testing.T, srv *sim.Server, ca, data string, extra string) string {
	t.Helper()
	text := fmt.Sprintf(`data: %s
listen: 127.0.0.1:0
fetch:
  resolve: ["*=%s"]
  ca: %s
politeness:
  per_host: 1
  per_ip: 16
  delay: 40ms
  backoff: 100ms
schedules:
  crawl:
    - {name: sim, sites: [%s], every: 1h}
  recheck: {days: 0}
  report: {enabled: false}
log: {level: info, format: json}
%s`, data, srv.Addr, ca, strings.Join(srv.Network.Sites(), ", "), extra)
	p := filepath.Join(t.TempDir(), "pravda.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// child is `pravda serve` running as a separate process (this test binary, see TestMain).
type child struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

func startServe(t *testing.T, cfgFile string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], "serve", "--config", cfgFile), out: &syncBuffer{}, done: make(chan error, 1)}
	c.cmd.Env = append(os.Environ(), "PRAVDA_MAIN=1")
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// stop sends SIGTERM and wants a clean exit within a few seconds.
func (c *child) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, c.log())
		}
		t.Logf("serve stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatalf("serve still running 30s after SIGTERM\n%s", c.log())
	}
}

func (c *child) log() string {
	s := c.out.String()
	if len(s) > 8000 {
		s = "…" + s[len(s)-8000:]
	}
	return s
}

// syncBuffer is a bytes.Buffer a child process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func daemonAddr(data string) string {
	b, _ := os.ReadFile(filepath.Join(data, addrFile))
	return strings.TrimSpace(string(b))
}

func getHealth(t *testing.T, addr string) (health, int) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h, resp.StatusCode
}

// TestServeSIGTERMMidPassLosesNothing stops a daemon with SIGTERM in the middle of its
// first pass, checks the archive, then lets a second daemon catch up with the missed pass
// on start and checks the catalog holds the whole ground truth.
func TestServeSIGTERMMidPassLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs daemons as child processes")
	}
	srv, ca := simNet(t, sim.Config{Seed: 21, Days: 2, PerDay: 20, Sites: []string{"japan", "hub", "francais"}})
	data := t.TempDir()
	cfg := serveConfig(t, srv, ca, data, "")
	want := expected(srv.Network.Truth())

	d1 := startServe(t, cfg)
	waitFor(t, 30*time.Second, "the first pass to be under way", func() bool {
		return srv.Network.Stats().ArticlePages >= 20
	})
	addr := daemonAddr(data)
	if addr == "" {
		t.Fatalf("no %s while serving", addrFile)
	}
	d1.stop(t)
	if _, err := os.Stat(filepath.Join(data, addrFile)); !os.IsNotExist(err) {
		t.Errorf("%s left behind: %v", addrFile, err)
	}
	if out := run(t, "verify", "--data", data); !containsLine(out, "verify: OK") {
		t.Fatalf("verify after SIGTERM: %s", out)
	}
	got, pages := catalogArticles(t, data), srv.Network.Stats().ArticlePages
	t.Logf("SIGTERM after %d article pages: %d of %d articles cataloged", pages, got, len(want))
	if got >= int64(len(want)) {
		t.Fatalf("the pass had finished before SIGTERM (%d articles): nothing was interrupted", got)
	}
	// Every page fetched whole was cataloged; only those in flight (one per worker at
	// most) may have been cut off.
	if workers := int64(config.Default().Fetch.Workers); got < pages-workers {
		t.Errorf("%d article pages served, only %d cataloged", pages, got)
	}
	if !strings.Contains(d1.log(), `"msg":"run interrupted"`) {
		t.Errorf("the daemon did not log the interrupted pass:\n%s", d1.log())
	}

	// The interrupted pass never succeeded, so the next daemon runs it on start.
	d2 := startServe(t, cfg)
	up := time.Now()
	waitFor(t, 30*time.Second, "the second daemon to serve", func() bool { return daemonAddr(data) != "" })
	t.Logf("daemon serving %s after start", time.Since(up).Round(time.Millisecond))
	// While it runs, a second daemon on the same data is refused at once.
	start := time.Now()
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"serve", "--config", cfg}, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "locked") {
		t.Fatalf("second daemon: exit %d\n%s", code, errb.String())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the second daemon took %s to give up", took)
	} else {
		t.Logf("second daemon refused in %s: %s", took.Round(time.Millisecond), strings.TrimSpace(errb.String()))
	}
	waitFor(t, 60*time.Second, "the missed pass to complete", func() bool {
		a := daemonAddr(data)
		if a == "" {
			return false
		}
		h, _ := getHealth(t, a)
		g, _ := h.Groups["sim"].(map[string]any)
		return g != nil && g["last_ok"] != nil
	})
	d2.stop(t)
	if !strings.Contains(d2.log(), `"msg":"job missed a run while stopped, running it now","job":"crawl:sim"`) {
		t.Errorf("the second daemon did not catch up with the missed pass:\n%s", d2.log())
	}
	checkCatalog(t, data, want)
	if out := run(t, "verify", "--data", data); !containsLine(out, "verify: OK") {
		t.Fatalf("verify: %s", out)
	}
}

func catalogArticles(t *testing.T, data string) int64 {
	t.Helper()
	cat, err := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	st, err := cat.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Articles
}

// inProcess runs a daemon in this process until the test ends; passes are sent on the
// returned channel.
func inProcess(t *testing.T, cfgFile string) (*daemon, <-chan passReport, func() error) {
	t.Helper()
	cfg, err := config.Load(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, err := openDaemon(ctx, cfg, logger(io.Discard, "error", false))
	if err != nil {
		t.Fatal(err)
	}
	passes := make(chan passReport, 16)
	d.onPass = func(p passReport) { passes <- p }
	done := make(chan error, 1)
	go func() { done <- d.serve(ctx, nil) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("daemon did not stop")
		}
	}
	t.Cleanup(func() { stop() })
	return d, passes, stop
}

func TestServeMetricsAndHealth(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 4, Days: 2, PerDay: 6, Sites: []string{"japan", "hub"}})
	data := t.TempDir()
	cfg := serveConfig(t, srv, ca, data, "metrics_token: hunter2\n")
	want := expected(srv.Network.Truth())
	d, passes, stop := inProcess(t, cfg)
	p := recvPass(t, passes)
	if p.Err != nil || p.Summary.New != len(want) || p.Articles != int64(len(want)) {
		t.Fatalf("pass: %+v, want %d new articles", p, len(want))
	}
	if a := daemonAddr(data); a != d.Addr() {
		t.Fatalf("%s holds %q, the daemon listens on %s", addrFile, a, d.Addr())
	}
	base := "http://" + d.Addr()

	// /metrics wants the token.
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/metrics without the token: %s", resp.Status)
	}
	fams := scrape(t, base, "hunter2")
	value := func(name string, labels map[string]string) float64 {
		t.Helper()
		return metricValue(t, fams, name, labels)
	}
	if got := value("pravda_articles_archived_total", map[string]string{"group": "sim"}); got != float64(len(want)) {
		t.Errorf("articles archived %v, want %d", got, len(want))
	}
	if got := value("pravda_passes_total", map[string]string{"group": "sim", "result": "ok"}); got != 1 {
		t.Errorf("passes ok %v", got)
	}
	// Every request the simulator saw was counted, by host.
	st := srv.Network.Stats()
	for host, n := range st.ByHost {
		if got := value("pravda_fetch_requests_total", map[string]string{"host": host}); got != float64(n) {
			t.Errorf("requests to %s: %v counted, the simulator saw %d", host, got, n)
		}
	}
	if got := value("pravda_fetch_requests_total", nil); got != float64(st.Requests) || got < float64(p.Summary.Requests) {
		t.Errorf("%v requests counted; the simulator saw %d, the pass %d", got, st.Requests, p.Summary.Requests)
	}
	if got := value("pravda_fetch_requests_total", map[string]string{"status": "200"}); got != float64(st.ByStatus[200]) {
		t.Errorf("%v requests with 200 counted, the simulator sent %d", got, st.ByStatus[200])
	}
	for _, site := range []string{"japan", "hub"} {
		if ts := value("pravda_last_success_timestamp_seconds", map[string]string{"site": site}); time.Since(time.Unix(int64(ts), 0)) > time.Minute {
			t.Errorf("last success of %s: %v", site, ts)
		}
	}
	if got := value("pravda_queue_depth", nil); got != 0 {
		t.Errorf("queue depth %v after the pass", got)
	}
	if got := value("pravda_origin_lag_seconds", nil); got == 0 {
		t.Error("no origin lag observed")
	}
	if got := value("pravda_schedule_refused_total", nil); got != 0 {
		t.Errorf("%v refusals", got)
	}

	// An overlapping trigger is refused and counted while a pass runs.
	srv.Network.Publish(3)
	waitFor(t, 10*time.Second, "the first run to end", func() bool { return !d.sched.Status()[0].Running })
	if err := d.sched.Trigger(context.Background(), "crawl:sim"); err != nil {
		t.Fatal(err)
	}
	if err := d.sched.Trigger(context.Background(), "crawl:sim"); err == nil {
		t.Error("a second pass over the same sites was not refused")
	}
	if p := recvPass(t, passes); p.Summary.New == 0 {
		t.Errorf("the triggered pass found nothing new: %+v", p.Summary)
	}
	if got := metricValue(t, scrape(t, base, "hunter2"), "pravda_schedule_refused_total", map[string]string{"job": "crawl:sim"}); got != 1 {
		t.Errorf("refusals counted: %v", got)
	}

	h, code := getHealth(t, d.Addr())
	g, _ := h.Groups["sim"].(map[string]any)
	if code != 200 || !h.OK || !h.Index || !h.Catalog || g == nil || g["last_ok"] == nil {
		t.Fatalf("/healthz %d: %+v", code, h)
	}
	// The web UI answers at /.
	resp, err = http.Get(base + "/api/v1/counts?by=site")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"japan"`) {
		t.Errorf("/api/v1/counts: %s %s", resp.Status, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, addrFile)); !os.IsNotExist(err) {
		t.Errorf("%s left behind", addrFile)
	}
}

func recvPass(t *testing.T, ch <-chan passReport) passReport {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(60 * time.Second):
		t.Fatal("no pass finished within a minute")
		return passReport{}
	}
}

// scrape reads /metrics and parses it as the Prometheus text format.
func scrape(t *testing.T, base, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics content type %q", ct)
	}
	// The classic scheme: our names must be valid for every Prometheus version.
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v", err)
	}
	return fams
}

// metricValue sums the samples of name whose labels match (histograms: their counts).
func metricValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no metric %s", name)
	}
	sum := 0.0
	for _, m := range f.Metric {
		ok := true
		for _, l := range m.Label {
			if v, set := labels[l.GetName()]; set && v != l.GetValue() {
				ok = false
			}
		}
		if !ok {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// TestServeIndexesWhatOthersQueued: a crawl with --no-index leaves its articles queued;
// a daemon with no pass due indexes them on its own, and its API finds them.
func TestServeIndexesWhatOthersQueued(t *testing.T) {
	srv, ca := simNet(t, sim.Config{Seed: 9, Days: 1, PerDay: 5, Sites: []string{"japan"}})
	data := t.TempDir()
	run(t, crawlArgs(srv, ca, data, "--since", "all", "--no-index")...)
	n := queueLen(t, data)
	if n == 0 {
		t.Fatal("nothing queued after --no-index")
	}
	cat, err := catalog.Open(context.Background(), filepath.Join(data, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	// The daemon's crawl ran a minute ago, so no pass is due: only the queue sync can index.
	if err := cat.SetState(context.Background(), schedule.StateKey("crawl:sim"), time.Now().Add(-time.Minute).Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	cat.Close()
	old := queueSyncEvery
	queueSyncEvery = 50 * time.Millisecond
	t.Cleanup(func() { queueSyncEvery = old })
	d, passes, _ := inProcess(t, serveConfig(t, srv, ca, data, ""))
	waitFor(t, 20*time.Second, "the queue to be indexed", func() bool {
		resp, err := http.Get("http://" + d.Addr() + "/api/v1/search?q=&site=japan")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var r struct {
			Total int `json:"total"`
		}
		return json.NewDecoder(resp.Body).Decode(&r) == nil && int64(r.Total) == n
	})
	select {
	case p := <-passes:
		t.Fatalf("a pass ran (%+v): the test proves nothing", p)
	default:
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pravda-archive/pravda/origin"
	"github.com/pravda-archive/pravda/sim"
)

func TestZZTiming(t *testing.T) {
	if os.Getenv("TRACE_TIMING") == "" {
		t.Skip()
	}
	srv, ca := simNet(t, sim.Config{Seed: 5, Days: 7, PerDay: 60})
	data := t.TempDir()
	var out, errb bytes.Buffer
	start := time.Now()
	Main(context.Background(), crawlArgs(srv, ca, data, "--log-level", "info", "--workers", "16"), &out, &errb)
	t.Logf("crawl+trace %v", time.Since(start))
	for _, l := range strings.Split(errb.String(), "\n") {
		if strings.Contains(l, "trace stage") {
			t.Log(l)
		}
	}
	t.Logf("\n%s", run(t, "eval", "--truth", writeTruth(t, srv), "--data", data))
	cat := openTestCatalog(t, data)
	g := &origin.Grouper{Catalog: cat}
	for i := 0; i < 2; i++ {
		st, err := g.Regroup(context.Background(), "", "")
		t.Logf("full regroup: %+v %v", st, err)
	}
	ids, _ := cat.Changed(context.Background(), time.Time{})
	tr := &origin.Tracer{Catalog: cat, Workers: 8}
	st, err := tr.TraceAll(context.Background(), ids)
	t.Logf("offline retrace of %d: %+v %v", len(ids), st, err)
}

package index

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestTmpProfile(t *testing.T) {
	if os.Getenv("PROF") == "" {
		t.Skip()
	}
	const n = 10000
	docs := newBenchGen(1, n).docs(n)
	ja0, _ := Open(t.TempDir()) // load dictionary first
	ja0.Close()
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create("/tmp/ingest.prof")
	pprof.StartCPUProfile(f)
	s, c := time.Now(), cpuTime()
	if err := x.Index(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(s), cpuTime()-c
	pprof.StopCPUProfile()
	x.Close()
	t.Logf("wall %v cpu %v (%.0f docs/cpu-s)", wall, cpu, n/cpu.Seconds())
}

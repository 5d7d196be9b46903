package origin

import (
	"testing"
	"time"
)

// CPUClock adds the CPU time per op to a benchmark's wall time: the machines benchmarks
// run on are shared, which stretches wall time and much less CPU time, and CPU time is
// what the crawl pays. It counts between Start and Stop, all of the process's threads.
type CPUClock struct{ start, total time.Duration }

func (c *CPUClock) Start() { c.start = cpuNow() }
func (c *CPUClock) Stop()  { c.total += cpuNow() - c.start }

// Report records the CPU time per op as cpu-ns/op; call it after the loop.
func (c *CPUClock) Report(b *testing.B) {
	if b.N > 0 && c.total > 0 {
		b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

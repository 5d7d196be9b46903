//go:build unix

package index

import (
	"os"
	"strings"
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, user and system. Bench reports ingest
// per CPU-second next to wall-clock rates, which a busy machine distorts.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the 1-minute load average where the system reports one.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

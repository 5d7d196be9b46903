//go:build unix

package origin

import (
	"syscall"
	"time"
)

// cpuNow is the CPU time the process has used, all threads, user and system.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

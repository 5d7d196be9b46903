//go:build unix

package sim

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the test process has used: on a shared machine wall-clock
// rates say more about the neighbours than about the simulator.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build unix

package flow

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time: on a busy shared machine
// it measures the work of a benchmark better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build unix

package pointlock

import (
	"errors"
	"syscall"
)

// alive probes pid with signal 0: no such process (ESRCH) is dead; a
// process we may not signal (EPERM) is alive.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

//go:build !unix

package pointlock

// alive cannot probe here: a lock is stale only by age.
func alive(pid int) bool { return true }

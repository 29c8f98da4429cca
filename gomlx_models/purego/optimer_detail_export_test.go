package purego

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// TimeOpsDetail is TimeOps keyed by op type, output shape and operand shapes (test binaries
// only): it shows which nodes of a step take the time.
func TimeOpsDetail() (report func(steps int, top int) string, restore func()) {
	var saved [backends.OpTypeLast]executor
	type acc struct{ ns, cpu, n int64 }
	var mu sync.Mutex
	totals := map[string]*acc{}
	for op := range backends.OpTypeLast {
		fn := simplegoExecutors[op]
		saved[op] = fn
		if fn == nil {
			continue
		}
		simplegoExecutors[op] = func(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
			key := fmt.Sprint(op)
			s, _ := nodeOf(n)
			key += " " + s.String() + " <-"
			for _, x := range in {
				key += " " + bufferOf(x).shape.String()
			}
			if p, ok := n0data(n).(*fusedProgram); ok {
				key += " {" + p.String() + "}"
			}
			start, c0 := time.Now(), cpuNanos()
			out, err := fn(b, n, in, o)
			d := int64(time.Since(start))
			dc := cpuNanos() - c0
			mu.Lock()
			a := totals[key]
			if a == nil {
				a = &acc{}
				totals[key] = a
			}
			a.ns += d
			a.cpu += dc
			a.n++
			mu.Unlock()
			return out, err
		}
	}
	report = func(steps, top int) string {
		type row struct {
			k          string
			ns, cpu, n int64
		}
		var rows []row
		var total int64
		for k, a := range totals {
			rows = append(rows, row{k, a.ns, a.cpu, a.n})
			total += a.ns
		}
		totals = map[string]*acc{}
		sort.Slice(rows, func(i, j int) bool { return rows[i].ns > rows[j].ns })
		var sb strings.Builder
		fmt.Fprintf(&sb, "executors total %.3f s/step\n", float64(total)/1e9/float64(steps))
		for i, r := range rows {
			if i >= top {
				break
			}
			fmt.Fprintf(&sb, "  %7.2f ms/step %5.1f%% (CPU %4.2fx wall) %3d calls/step  %s\n", float64(r.ns)/1e6/float64(steps), 100*float64(r.ns)/float64(total), float64(r.cpu)/float64(r.ns), r.n/int64(steps), r.k)
		}
		return sb.String()
	}
	restore = func() { simplegoExecutors = saved }
	return report, restore
}

// cpuNanos is the process's user+system CPU time (ops run one at a time, so the difference
// around an executor is its CPU, plus the runtime's background work).
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func n0data(n *simplego.Node) any { _, d := nodeOf(n); return d }

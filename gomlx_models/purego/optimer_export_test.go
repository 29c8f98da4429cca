package purego

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// TimeOps wraps every filled slot of simplego's executor table with a wall-clock timer per op
// type (for the op breakdown of BenchmarkConvOps; test binaries only). It returns a function
// that prints the totals since the last reset and resets them, and one that restores the table.
func TimeOps() (report func(steps int) string, restore func()) {
	var saved [backends.OpTypeLast]executor
	var nanos, calls [backends.OpTypeLast]atomic.Int64
	for op := range backends.OpTypeLast {
		fn := simplegoExecutors[op]
		saved[op] = fn
		if fn == nil {
			continue
		}
		simplegoExecutors[op] = func(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
			start := time.Now()
			out, err := fn(b, n, in, o)
			nanos[op].Add(int64(time.Since(start)))
			calls[op].Add(1)
			return out, err
		}
	}
	report = func(steps int) string {
		type row struct {
			op    backends.OpType
			ns, n int64
		}
		var rows []row
		var total int64
		for op := range backends.OpTypeLast {
			if c := calls[op].Swap(0); c > 0 {
				ns := nanos[op].Swap(0)
				rows = append(rows, row{op, ns, c})
				total += ns
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].ns > rows[j].ns })
		var sb strings.Builder
		fmt.Fprintf(&sb, "executors total %.3f s/step\n", float64(total)/1e9/float64(steps))
		for _, r := range rows {
			fmt.Fprintf(&sb, "  %-22s %7.1f ms/step %5.1f%% %6d calls/step\n", r.op, float64(r.ns)/1e6/float64(steps), 100*float64(r.ns)/float64(total), r.n/int64(steps))
		}
		return sb.String()
	}
	restore = func() { simplegoExecutors = saved }
	return report, restore
}

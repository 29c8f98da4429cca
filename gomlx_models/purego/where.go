package purego

import (
	"fmt"
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gopjrt/dtypes"
)

// Where, split across cores. simplego's Where (v0.25.0, backends/simplego/exec_special_ops.go,
// execWhere) is one sequential loop; in the LRCN training step its dropout selections over
// [80,16,16,16] run on one core between parallel ops. Here the same selection (the condition's
// element picks onTrue's or onFalse's element, or the scalar) runs over contiguous ranges of
// the output on up to GOMAXPROCS goroutines. A selection moves values without arithmetic, so
// the result is simplego's, bit for bit (NaN payloads included), whatever the worker count.

const opWhere = backends.OpTypeWhere

// fastWhereCalls counts the Wheres run by the parallel executor (for tests).
var fastWhereCalls atomic.Int64

// execWhereParallel is purego's Where executor: a condition of the output's shape and
// float32/float64 values of the output's shape or scalars, at least minParallelElems
// elements; anything else (a scalar condition, other dtypes, small outputs, other backends)
// runs simplego's.
func execWhereParallel(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape, _ := nodeOf(node)
	cond, onTrue, onFalse := bufferOf(inputs[0]), bufferOf(inputs[1]), bufferOf(inputs[2])
	dt, n := outShape.DType, outShape.Size()
	fullOrScalar := func(b *bufferLayout) bool {
		return b.shape.DType == dt && (b.shape.Equal(outShape) || b.shape.IsScalar())
	}
	if !isPure(backend) || (dt != dtypes.Float32 && dt != dtypes.Float64) || n < minParallelElems ||
		cond.shape.DType != dtypes.Bool || cond.shape.Size() != n || cond.shape.Rank() != outShape.Rank() ||
		!fullOrScalar(onTrue) || !fullOrScalar(onFalse) {
		return simplegoOriginal[opWhere](backend, node, inputs, owned)
	}
	c, t, f := cond.flat.([]bool), onTrue.flat, onFalse.flat // read before the output may take a buffer
	tScalar, fScalar := onTrue.shape.IsScalar(), onFalse.shape.IsScalar()
	// The output buffer as simplego picks it: an owned onTrue, else an owned onFalse, of the
	// output's shape (in place is safe: each element reads only its own position), else a
	// pooled buffer.
	var out *simplego.Buffer
	switch {
	case owned[1] && onTrue.shape.Equal(outShape):
		out, inputs[1] = inputs[1], nil
	case owned[2] && onFalse.shape.Equal(outShape):
		out, inputs[2] = inputs[2], nil
	default:
		out = simplegoGetBuffer(backend, outShape)
	}
	if out == nil {
		return nil, fmt.Errorf("purego Where: backend already finalized")
	}
	fastWhereCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		where(c, t.([]float32), tScalar, f.([]float32), fScalar, flat)
	case []float64:
		where(c, t.([]float64), tScalar, f.([]float64), fScalar, flat)
	}
	return out, nil
}

// where sets out[i] to onTrue's or onFalse's element i (or their only element when scalar)
// as cond[i] is true or false, in chunks split across cores.
func where[T float32 | float64](cond []bool, onTrue []T, tScalar bool, onFalse []T, fScalar bool, out []T) {
	const chunk = 1 << 14
	n := len(out)
	parallelRows((n+chunk-1)/chunk, n, func(lo, hi int) {
		lo, hi = lo*chunk, min(hi*chunk, n)
		c, o := cond[lo:hi], out[lo:hi]
		switch {
		case !tScalar && !fScalar:
			t, f := onTrue[lo:hi], onFalse[lo:hi]
			for i, ci := range c {
				if ci {
					o[i] = t[i]
				} else {
					o[i] = f[i]
				}
			}
		default:
			for i, ci := range c {
				if ci {
					if tScalar {
						o[i] = onTrue[0]
					} else {
						o[i] = onTrue[lo+i]
					}
				} else {
					if fScalar {
						o[i] = onFalse[0]
					} else {
						o[i] = onFalse[lo+i]
					}
				}
			}
		}
	})
}

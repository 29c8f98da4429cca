package purego_test

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

func TestDbg(t *testing.T) {
	for _, c := range []struct {
		name             string
		dims             []int
		k, f             int
		same             bool
	}{
		{"k2 f1 c1 b1", []int{1, 4, 5, 1}, 2, 1, false},
		{"k3 f1 c1 b1", []int{1, 4, 5, 1}, 3, 1, false},
		{"k2 same", []int{1, 4, 5, 1}, 2, 1, true},
		{"k3 f3 c2 b2", []int{2, 4, 5, 2}, 3, 3, false},
		{"k1", []int{1, 4, 5, 1}, 1, 1, false},
		{"k2 1d", []int{1, 5, 1}, 2, 1, false},
		{"k2x1", []int{1, 4, 5, 1}, -1, 1, false},
	} {
		cc := gradcheck.Case{Name: c.name, Inputs: []*tensors.Tensor{in(1, c.dims...)},
			Build: func(ctx *context.Context, x []*Node) *Node {
				b := layers.Convolution(ctx, x[0]).Filters(c.f)
				if c.k < 0 {
					b = b.KernelSizePerAxis(2, 1)
				} else {
					b = b.KernelSize(c.k)
				}
				if c.same {
					b = b.PadSame()
				} else {
					b = b.NoPadding()
				}
				return b.Done()
			}}
		_, err := gradcheck.Run(pureBackend(), cc, gradcheck.DefaultTolerance)
		t.Logf("%s: %v", c.name, err)
	}
}

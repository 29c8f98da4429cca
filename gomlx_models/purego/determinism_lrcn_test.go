package purego_test

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestLRCNStepBitIdentical runs a float32 training step of a small LRCN (lrcn.Model: per-frame
// convolutions on purego's native im2col, shared between the forward product and the kernel
// gradient, col2im input gradients, ReLU, 4x4 and 2x2 max-pools and their native
// SelectAndScatter, dropout, the LSTM and the reductions) with 1, 2 and 8 workers: the bits
// must not change. The first layer's sizes are above minParallelElems, so its executors split
// their work. The log gives a digest of the bits, to compare across commits.
func TestLRCNStepBitIdentical(t *testing.T) {
	if purego.FastPathsError() != nil {
		t.Skipf("purego's fast paths are off: %v", purego.FastPathsError())
	}
	cfg := lrcn.DefaultConfig()
	cfg.Frames, cfg.Height, cfg.Width = 3, 32, 32
	cfg.Filters, cfg.Pools, cfg.LSTMUnits = []int{8, 16, 16}, []int{4, 2, 2}, 8
	model := func(ctx *context.Context, x *Node) *Node { return lrcn.Model(ctx, cfg, x) }
	step := videoStep(model, [5]int{2, cfg.Frames, cfg.Height, cfg.Width, cfg.Channels}, []int32{1, 3}, [2]uint64{61, 62}, 7)
	ref := requireWorkerIndependent(t, step, 2, 8)
	t.Logf("loss %g and %d gradient values bit-identical with 1, 2 and 8 workers; sha256 %x",
		math.Float32frombits(ref[0]), len(ref)-1, bitsDigest(ref))
}

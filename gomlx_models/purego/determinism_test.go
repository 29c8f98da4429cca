package purego_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/lstm"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// lrcnLike is an LRCN-shaped float32 model big enough for every parallel path of purego's
// matrix kernel: per-frame Conv2D 3x3 (same, 8 filters; im2col product 8192x8x9 and a kernel
// gradient reducing over 8192 rows) + ReLU + 2x2 max-pool, Dense 512->64 + ReLU, an LSTM of
// 16 units over the frames, and one logit.
func lrcnLike(ctx *context.Context, clips *Node) *Node {
	b, t, h, w := clips.Shape().Dim(0), clips.Shape().Dim(1), clips.Shape().Dim(2), clips.Shape().Dim(3)
	x := Reshape(clips, b*t, h, w, 1)
	x = activations.Relu(layers.Convolution(ctx.In("conv"), x).Filters(8).KernelSize(3).PadSame().Done())
	x = MaxPool(x).Window(2).Strides(2).NoPadding().Done()
	x = Reshape(x, b, t, x.Shape().Size()/(b*t))
	x = activations.Relu(layers.Dense(ctx.In("frame"), x, true, 64))
	_, last, _ := lstm.New(ctx.In("lstm"), x, 16).Done() // last: [1, b, 16]
	return Reshape(layers.Dense(ctx.In("logit"), Squeeze(last, 0), true, 1), b)
}

// lrcnLikeStep is the training step of lrcnLike on moving-dots clips (8 clips of 4 frames of
// 16x16): loss and the gradient of every trainable variable.
func lrcnLikeStep() trainStep {
	const batch, frames, size = 8, 4, 16
	rng := rand.New(rand.NewPCG(12, 1))
	clips, labels := movingDots(rng, batch, frames, size)
	return trainStep{
		seed:        12,
		initializer: true,
		minVars:     8,
		loss: func(ctx *context.Context, x, y *Node) *Node {
			return ReduceAllMean(losses.BinaryCrossentropyLogits([]*Node{y}, []*Node{lrcnLike(ctx, x)}))
		},
		inputs: func() (*tensors.Tensor, *tensors.Tensor) {
			return tensors.FromFlatDataAndDimensions(clips, batch, frames, size, size), tensors.FromFlatDataAndDimensions(labels, batch)
		},
	}
}

// TestTrainingStepBitIdentical checks that a float32 training step (loss and all gradients)
// gives the same bits whatever the number of workers (1, 2, 8 on this 2-core machine, so 8
// also means oversubscribed), and when three copies run at once on one backend, competing
// for the cores and for simplego's buffer pool. purego splits its matrix products over
// blocks of the output only (each element's sum runs in one fixed order), gonum's Dgemm
// (float64) likewise, and simplego v0.25.0 splits only elementwise ops.
func TestTrainingStepBitIdentical(t *testing.T) {
	if purego.FastMatmulError() != nil {
		t.Skipf("purego's matrix kernel is off: %v", purego.FastMatmulError())
	}
	t.Run("transformer head, 1, 2 and 8 workers", headStepBitIdentical)
	step := lrcnLikeStep()
	refs, _ := step.bits(t, 1, 1)
	ref := refs[0]
	for _, tc := range []struct{ workers, concurrent int }{{2, 1}, {8, 1}, {8, 3}, {2, 3}} {
		copies, _ := step.bits(t, tc.workers, tc.concurrent)
		for c, got := range copies {
			if len(got) != len(ref) {
				t.Fatalf("workers=%d copy %d: %d values, 1 worker %d", tc.workers, c, len(got), len(ref))
			}
			if diffs, first := bitDiff(ref, got); diffs > 0 {
				t.Errorf("workers=%d, %d at once, copy %d: %d of %d values differ from 1 worker; first at %d: %g, 1 worker %g",
					tc.workers, tc.concurrent, c, diffs, len(ref), first, math.Float32frombits(got[first]), math.Float32frombits(ref[first]))
			}
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("loss %g and %d gradient values bit-identical with 1, 2, 8 workers and 3 concurrent steps", math.Float32frombits(ref[0]), len(ref)-1)
}

// TestConvLSTMStepBitIdentical runs a float32 training step (loss and every gradient) of a
// small ConvLSTM (convlstm.Model: per-frame convolutions lowered to purego's native im2col,
// their input gradients to matrix product + col2im, the kernel gradients, max-pool and its
// native SelectAndScatter, dropout, the reductions and transposes of fastreduce.go) with 1, 2
// and 8 workers: the bits must not change. Sizes are above minParallelElems, so every
// executor splits its work.
func TestConvLSTMStepBitIdentical(t *testing.T) {
	if purego.FastPathsError() != nil {
		t.Skipf("purego's fast paths are off: %v", purego.FastPathsError())
	}
	cfg := convlstm.DefaultConfig()
	cfg.Frames, cfg.Height, cfg.Width, cfg.Filters = 3, 40, 40, []int{4, 8}
	model := func(ctx *context.Context, x *Node) *Node { return convlstm.Model(ctx, cfg, x) }
	step := videoStep(model, [5]int{2, cfg.Frames, cfg.Height, cfg.Width, cfg.Channels}, []int32{1, 3}, [2]uint64{51, 52}, 5)
	ref := requireWorkerIndependent(t, step, 2, 8)
	t.Logf("loss %g and %d gradient values bit-identical with 1, 2 and 8 workers", math.Float32frombits(ref[0]), len(ref)-1)
}

package purego_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// headStepBits runs the forward and backward pass of a small transformer head (headLogits:
// attention with softmax, layer norms, ReLU feed-forward, bias broadcasts, sigmoid
// cross-entropy; sizes chosen so that the attention scores [8,4,40,40] and the feed-forward
// activations [8,40,256] exceed minParallelElems and are split across goroutines) on a fresh
// purego backend with the given worker count, and returns the float32 bits of the loss and of
// every gradient, and how many ops purego's elementwise executors and fused nodes ran. opts
// are more backend options (",no_fusion").
func headStepBits(t *testing.T, workers int, opts string) ([]uint32, int64) {
	t.Helper()
	cfg := headConfig{Batch: 8, Video: 10, Classes: 30, Width: 64, Heads: 4, FF: 256}
	rng := rand.New(rand.NewPCG(13, 1))
	xs := make([]float32, cfg.Batch*cfg.tokens()*cfg.Width)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	ys := make([]float32, cfg.Batch*cfg.Classes)
	for i := range ys {
		if rng.IntN(10) == 0 {
			ys[i] = 1
		}
	}
	step := trainStep{
		seed:        13,
		initializer: true,
		opts:        opts,
		loss: func(ctx *context.Context, x, y *Node) *Node {
			return ReduceAllMean(losses.BinaryCrossentropyLogits([]*Node{y}, []*Node{headLogits(ctx, cfg, x)}))
		},
		inputs: func() (*tensors.Tensor, *tensors.Tensor) {
			return tensors.FromFlatDataAndDimensions(xs, cfg.Batch, cfg.tokens(), cfg.Width),
				tensors.FromFlatDataAndDimensions(ys, cfg.Batch, cfg.Classes)
		},
	}
	bits, calls := step.bits(t, workers, 0)
	return bits[0], calls
}

// headStepBitIdentical (a subtest of TestTrainingStepBitIdentical, so that `make stress` runs
// it): the transformer head's loss and gradients are bit-identical with 1, 2 and 8 workers.
// Its time outside the matrix products is in elementwise ops with broadcasting (softmax,
// layer norm, biases), which purego's executors split across the workers by output elements;
// the test also checks that they ran. The same step without the fusion pass (fuse.go), with
// 1 and 8 workers, must give the same bits too.
func headStepBitIdentical(t *testing.T) {
	fused := purego.FusedCalls()
	ref, calls := headStepBits(t, 1, "")
	if calls == 0 {
		t.Fatal("purego's elementwise executors did not run")
	}
	if fused = purego.FusedCalls() - fused; fused == 0 {
		t.Fatal("no fused node ran")
	}
	for _, run := range []struct {
		workers int
		opts    string
	}{{2, ""}, {8, ""}, {1, ",no_fusion"}, {8, ",no_fusion"}} {
		workers := run.workers
		got, _ := headStepBits(t, workers, run.opts)
		if len(got) != len(ref) {
			t.Fatalf("workers=%d: %d values, 1 worker %d", workers, len(got), len(ref))
		}
		if diffs, first := bitDiff(ref, got); diffs > 0 {
			t.Errorf("workers=%d%s: %d of %d values differ from 1 worker; first at %d: %g, 1 worker %g",
				workers, run.opts, diffs, len(ref), first, math.Float32frombits(got[first]), math.Float32frombits(ref[first]))
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("loss %g and %d gradient values bit-identical with 1, 2 and 8 workers, fused or not (%d elementwise fast calls per step, %d of them fused nodes)",
		math.Float32frombits(ref[0]), len(ref)-1, calls, fused)
}

package purego_test

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// lrcnStepBits runs one float32 training step of a small lrcn.Model (loss and the gradient of
// every trainable variable) with dropout on, on a fresh purego backend with the given worker
// count, and returns the bits of the loss followed by those of the gradients.
func lrcnStepBits(t *testing.T, workers int) []uint32 {
	t.Helper()
	cfg := lrcn.DefaultConfig()
	cfg.Frames, cfg.Height, cfg.Width = 3, 32, 32
	cfg.Filters, cfg.Pools, cfg.LSTMUnits = []int{8, 16, 16}, []int{4, 2, 2}, 8
	const batch = 2
	rng := rand.New(rand.NewPCG(61, 62))
	videos := make([]float32, batch*cfg.Frames*cfg.Height*cfg.Width*cfg.Channels)
	for i := range videos {
		videos[i] = rng.Float32()
	}
	labels := []int32{1, 3}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(workers))
	backend, err := purego.New(fmt.Sprintf("%s:parallelism=%d", purego.Name, workers))
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(7); err != nil {
		t.Fatal(err)
	}
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, y *Node) []*Node {
		ctx.SetTraining(x.Graph(), true) // dropout on
		logits := lrcn.Model(ctx, cfg, x)
		loss := ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*Node{y}, []*Node{logits}))
		var wrt []*Node
		ctx.EnumerateVariables(func(v *context.Variable) {
			if v.Trainable && v.DType().IsFloat() {
				wrt = append(wrt, v.ValueGraph(loss.Graph()))
			}
		})
		return append([]*Node{loss}, Gradient(loss, wrt...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(tensors.FromFlatDataAndDimensions(videos, batch, cfg.Frames, cfg.Height, cfg.Width, cfg.Channels),
		tensors.FromFlatDataAndDimensions(labels, batch, 1))
	if err != nil {
		t.Fatal(err)
	}
	var bits []uint32
	for _, o := range outs {
		for _, v := range tensors.MustCopyFlatData[float32](o) {
			bits = append(bits, math.Float32bits(v))
		}
	}
	return bits
}

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
	ref := lrcnStepBits(t, 1)
	for _, workers := range []int{2, 8} {
		got := lrcnStepBits(t, workers)
		if len(got) != len(ref) {
			t.Fatalf("%d workers: %d values, 1 worker %d", workers, len(got), len(ref))
		}
		for i := range ref {
			if got[i] != ref[i] {
				t.Fatalf("%d workers: value %d of %d is %g, 1 worker %g", workers, i, len(ref),
					math.Float32frombits(got[i]), math.Float32frombits(ref[i]))
			}
		}
	}
	h := sha256.New()
	for _, b := range ref {
		h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
	}
	t.Logf("loss %g and %d gradient values bit-identical with 1, 2 and 8 workers; sha256 %x",
		math.Float32frombits(ref[0]), len(ref)-1, h.Sum(nil)[:8])
}

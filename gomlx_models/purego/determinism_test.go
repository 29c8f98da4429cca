package purego_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
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

// stepBits runs one training step's forward and backward pass (loss and the gradient of every
// trainable variable, sorted by name) on a fresh purego backend with the given worker count
// (GOMAXPROCS, which purego's matrix kernel uses, and simplego's "parallelism" option), and
// returns the float32 bits of the loss followed by those of each gradient. With concurrent >
// 1 the step is executed that many times at once on the same backend and every copy is
// returned.
func stepBits(t *testing.T, workers, concurrent int) [][]uint32 {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(workers))
	backend, err := purego.New(fmt.Sprintf("%s:parallelism=%d", purego.Name, workers))
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	const batch, frames, size = 8, 4, 16
	rng := rand.New(rand.NewPCG(12, 1))
	clips, labels := movingDots(rng, batch, frames, size)
	ctx := context.New().WithInitializer(gradcheck.Initializer)
	if err := ctx.SetRNGStateFromSeed(12); err != nil {
		t.Fatal(err)
	}
	var names []string
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, y *Node) []*Node {
		loss := ReduceAllMean(losses.BinaryCrossentropyLogits([]*Node{y}, []*Node{lrcnLike(ctx, x)}))
		var wrt []*Node
		names = names[:0]
		ctx.EnumerateVariables(func(v *context.Variable) {
			if v.Trainable && v.DType().IsFloat() {
				wrt = append(wrt, v.ValueGraph(loss.Graph()))
				names = append(names, v.ScopeAndName())
			}
		})
		return append([]*Node{loss}, Gradient(loss, wrt...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	// GoMLX initialises the variables and compiles on the first call, which must not run
	// concurrently, and a tensor must not be sent to the device from two goroutines at once:
	// one call first, then each concurrent call with its own input tensors.
	if _, err := exec.Exec(tensors.FromFlatDataAndDimensions(clips, batch, frames, size, size), tensors.FromFlatDataAndDimensions(labels, batch)); err != nil {
		t.Fatal(err)
	}
	bits := make([][]uint32, concurrent)
	errs := make([]error, concurrent)
	var wg sync.WaitGroup
	for c := range concurrent {
		x := tensors.FromFlatDataAndDimensions(clips, batch, frames, size, size)
		y := tensors.FromFlatDataAndDimensions(labels, batch)
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs, err := exec.Exec(x, y)
			if err != nil {
				errs[c] = err
				return
			}
			for _, o := range outs {
				for _, v := range tensors.MustCopyFlatData[float32](o) {
					bits[c] = append(bits[c], math.Float32bits(v))
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(names) < 8 {
		t.Fatalf("only %d trainable variables: %v", len(names), names)
	}
	return bits
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
	ref := stepBits(t, 1, 1)[0]
	for _, tc := range []struct{ workers, concurrent int }{{2, 1}, {8, 1}, {8, 3}, {2, 3}} {
		for c, got := range stepBits(t, tc.workers, tc.concurrent) {
			if len(got) != len(ref) {
				t.Fatalf("workers=%d copy %d: %d values, 1 worker %d", tc.workers, c, len(got), len(ref))
			}
			diffs, first := 0, -1
			for i := range ref {
				if got[i] != ref[i] {
					if first < 0 {
						first = i
					}
					diffs++
				}
			}
			if diffs > 0 {
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
	const batch = 2
	rng := rand.New(rand.NewPCG(51, 52))
	videos := make([]float32, batch*cfg.Frames*cfg.Height*cfg.Width*cfg.Channels)
	for i := range videos {
		videos[i] = rng.Float32()
	}
	labels := []int32{1, 3}
	run := func(workers int) []uint32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(workers))
		backend, err := purego.New(fmt.Sprintf("%s:parallelism=%d", purego.Name, workers))
		if err != nil {
			t.Fatal(err)
		}
		defer backend.Finalize()
		ctx := context.New()
		if err := ctx.SetRNGStateFromSeed(5); err != nil {
			t.Fatal(err)
		}
		exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, y *Node) []*Node {
			ctx.SetTraining(x.Graph(), true) // dropout on
			logits := convlstm.Model(ctx, cfg, x)
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
	ref := run(1)
	for _, workers := range []int{2, 8} {
		got := run(workers)
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
	t.Logf("loss %g and %d gradient values bit-identical with 1, 2 and 8 workers", math.Float32frombits(ref[0]), len(ref)-1)
}

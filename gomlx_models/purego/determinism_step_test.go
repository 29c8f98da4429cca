package purego_test

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// trainStep is one float32 training step of the determinism tests (determinism_*_test.go):
// the loss and the gradient of every trainable variable of a model, on fixed inputs.
type trainStep struct {
	seed        int64  // the context's RNG seed (initial weights, dropout)
	initializer bool   // initialise the variables with gradcheck.Initializer, not GoMLX's default
	training    bool   // ctx.SetTraining: dropout on
	opts        string // more backend options (",no_fusion")
	minVars     int    // fail if the model has fewer trainable variables
	// loss builds the step's scalar loss from the inputs x and labels y.
	loss func(ctx *context.Context, x, y *Node) *Node
	// inputs returns fresh input and label tensors (a tensor must not be sent to the device
	// from two goroutines at once, so each concurrent call gets its own).
	inputs func() (x, y *tensors.Tensor)
}

// bits runs the step on a fresh purego backend with the given worker count (GOMAXPROCS, which
// purego's matrix kernel uses, and simplego's "parallelism" option) and returns the float32
// bits of the loss followed by those of each gradient (variables in the context's order).
// With concurrent == 0 they are the bits of the first call, which also initialises the
// variables and compiles. With concurrent > 0 the first call is followed by that many calls
// at once on the same backend, and the bits of each of those are returned. calls is how many
// ops purego's elementwise executors ran during the first call.
func (s trainStep) bits(t *testing.T, workers, concurrent int) (bits [][]uint32, calls int64) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(workers))
	backend, err := purego.New(fmt.Sprintf("%s:parallelism=%d%s", purego.Name, workers, s.opts))
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	ctx := context.New()
	if s.initializer {
		ctx = ctx.WithInitializer(gradcheck.Initializer)
	}
	if err := ctx.SetRNGStateFromSeed(s.seed); err != nil {
		t.Fatal(err)
	}
	var names []string
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, y *Node) []*Node {
		if s.training {
			ctx.SetTraining(x.Graph(), true)
		}
		loss := s.loss(ctx, x, y)
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
	flat := func(outs []*tensors.Tensor) []uint32 {
		var bits []uint32
		for _, o := range outs {
			for _, v := range tensors.MustCopyFlatData[float32](o) {
				bits = append(bits, math.Float32bits(v))
			}
		}
		return bits
	}
	// GoMLX initialises the variables and compiles on the first call, which must not run
	// concurrently: one call first, then the concurrent calls.
	before := purego.FastElementwiseCalls()
	outs, err := exec.Exec(s.inputs())
	if err != nil {
		t.Fatal(err)
	}
	calls = purego.FastElementwiseCalls() - before
	if len(names) < s.minVars {
		t.Fatalf("only %d trainable variables: %v", len(names), names)
	}
	if concurrent == 0 {
		return [][]uint32{flat(outs)}, calls
	}
	bits = make([][]uint32, concurrent)
	errs := make([]error, concurrent)
	var wg sync.WaitGroup
	for c := range concurrent {
		x, y := s.inputs()
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs, err := exec.Exec(x, y)
			if err != nil {
				errs[c] = err
				return
			}
			bits[c] = flat(outs)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return bits, calls
}

// videoStep is the training step of a video classifier (model: videos [batch, frames, height,
// width, channels] -> logits [batch, classes]) with dropout on: the mean sparse categorical
// cross-entropy of the logits against labels, on videos of the given dims with values uniform
// in [0, 1) from a PCG seeded with pcg; seed seeds the context (weights, dropout).
func videoStep(model func(ctx *context.Context, x *Node) *Node, dims [5]int, labels []int32, pcg [2]uint64, seed int64) trainStep {
	rng := rand.New(rand.NewPCG(pcg[0], pcg[1]))
	videos := make([]float32, dims[0]*dims[1]*dims[2]*dims[3]*dims[4])
	for i := range videos {
		videos[i] = rng.Float32()
	}
	return trainStep{
		seed:     seed,
		training: true,
		loss: func(ctx *context.Context, x, y *Node) *Node {
			return ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*Node{y}, []*Node{model(ctx, x)}))
		},
		inputs: func() (*tensors.Tensor, *tensors.Tensor) {
			return tensors.FromFlatDataAndDimensions(videos, dims[:]...),
				tensors.FromFlatDataAndDimensions(labels, len(labels), 1)
		},
	}
}

// requireWorkerIndependent runs s with 1 worker and then with each of workers, and stops the
// test at the first value whose bits differ from 1 worker's. It returns 1 worker's bits.
func requireWorkerIndependent(t *testing.T, s trainStep, workers ...int) []uint32 {
	t.Helper()
	ref := s.bitsOnce(t, 1)
	for _, w := range workers {
		got := s.bitsOnce(t, w)
		if len(got) != len(ref) {
			t.Fatalf("%d workers: %d values, 1 worker %d", w, len(got), len(ref))
		}
		for i := range ref {
			if got[i] != ref[i] {
				t.Fatalf("%d workers: value %d of %d is %g, 1 worker %g", w, i, len(ref),
					math.Float32frombits(got[i]), math.Float32frombits(ref[i]))
			}
		}
	}
	return ref
}

// bitsOnce is s.bits for one call.
func (s trainStep) bitsOnce(t *testing.T, workers int) []uint32 {
	t.Helper()
	bits, _ := s.bits(t, workers, 0)
	return bits[0]
}

// bitDiff counts the values of got whose bits differ from ref's and gives the first one
// (-1 if none). got and ref have the same length.
func bitDiff(ref, got []uint32) (diffs, first int) {
	first = -1
	for i := range ref {
		if got[i] != ref[i] {
			if first < 0 {
				first = i
			}
			diffs++
		}
	}
	return diffs, first
}

// bitsDigest is the first 8 bytes of the SHA-256 of bits (little-endian), for the logs, to
// compare across commits.
func bitsDigest(bits []uint32) []byte {
	h := sha256.New()
	for _, b := range bits {
		h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
	}
	return h.Sum(nil)[:8]
}

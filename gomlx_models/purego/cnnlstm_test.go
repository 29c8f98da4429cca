package purego_test

import (
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/lstm"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// movingDots makes n clips [T, H, W, 1] of a bright dot moving right (label 1) or left
// (label 0) over noise: the class is only visible across frames, so the LSTM must learn.
func movingDots(rng *rand.Rand, n, frames, size int) (clips, labels []float32) {
	clips = make([]float32, n*frames*size*size)
	labels = make([]float32, n)
	for i := range n {
		right := rng.IntN(2) == 1
		if right {
			labels[i] = 1
		}
		row, col := rng.IntN(size), rng.IntN(size-frames)
		if !right {
			col += frames - 1
		}
		for t := range frames {
			base := (i*frames + t) * size * size
			for p := range size * size {
				clips[base+p] = 0.1 * float32(rng.NormFloat64())
			}
			c := col + t
			if !right {
				c = col - t
			}
			clips[base+row*size+c] = 1
		}
	}
	return clips, labels
}

// cnnLSTM: per-frame Conv2D 3x3 (same) + ReLU + 2x2 max-pool, Dense, then an LSTM over frames
// and a logit from the last hidden state.
func cnnLSTM(ctx *context.Context, clips *Node) *Node {
	b, t, h, w := clips.Shape().Dim(0), clips.Shape().Dim(1), clips.Shape().Dim(2), clips.Shape().Dim(3)
	x := Reshape(clips, b*t, h, w, 1)
	x = activations.Relu(layers.Convolution(ctx.In("conv"), x).Filters(4).KernelSize(3).PadSame().Done())
	x = MaxPool(x).Window(2).PadSame().Done()
	x = Reshape(x, b, t, x.Shape().Size()/(b*t))
	x = activations.Relu(layers.Dense(ctx.In("frame"), x, true, 8))
	_, last, _ := lstm.New(ctx.In("lstm"), x, 8).Done() // last: [1, b, 8]
	return Reshape(layers.Dense(ctx.In("logit"), Squeeze(last, 0), true, 1), b)
}

// TestCNNLSTMClassifierLearns trains the small CNN+LSTM on purego (conv, max-pool and LSTM
// gradients all need the ops purego supplies) and checks that its training loss falls.
func TestCNNLSTMClassifierLearns(t *testing.T) {
	const batch, frames, size, steps = 16, 4, 8, 40
	rng := rand.New(rand.NewPCG(3, 4))
	clips, labels := movingDots(rng, batch, frames, size)
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(5); err != nil {
		t.Fatal(err)
	}
	opt := optimizers.Adam().LearningRate(1e-2).Done()
	step, err := context.NewExec(pureBackend(), ctx, func(ctx *context.Context, x, y *Node) *Node {
		loss := ReduceAllMean(losses.BinaryCrossentropyLogits([]*Node{y}, []*Node{cnnLSTM(ctx, x)}))
		opt.UpdateGraph(ctx, x.Graph(), loss)
		return loss
	})
	if err != nil {
		t.Fatal(err)
	}
	x := tensors.FromFlatDataAndDimensions(clips, batch, frames, size, size)
	y := tensors.FromFlatDataAndDimensions(labels, batch)
	var curve []float32
	for range steps {
		out, err := step.Exec(x, y)
		if err != nil {
			t.Fatal(err)
		}
		curve = append(curve, tensors.ToScalar[float32](out[0]))
	}
	mean := func(v []float32) float32 {
		var s float32
		for _, x := range v {
			s += x
		}
		return s / float32(len(v))
	}
	first, last := mean(curve[:5]), mean(curve[steps-5:])
	t.Logf("CNN+LSTM training loss, mean of first 5 steps %.4f, of last 5 steps %.4f", first, last)
	if !(last < first) {
		t.Fatalf("loss did not fall: %v", curve)
	}
}

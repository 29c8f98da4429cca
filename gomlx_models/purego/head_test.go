package purego_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// headConfig sizes the ARTEMIS-like head of issue 2: Video tokens + Classes query tokens of
// width Width, one Heads-head post-norm transformer layer with feed-forward FF, one logit per
// class token, sigmoid cross-entropy, Adam.
type headConfig struct {
	Batch, Video, Classes, Width, Heads, FF int
}

// issueHead is the configuration measured in issue 2 (B set per benchmark).
var issueHead = headConfig{Batch: 8, Video: 16, Classes: 140, Width: 512, Heads: 8, FF: 2048}

func (c headConfig) tokens() int { return c.Video + c.Classes }

// forwardFLOPs counts the multiply-adds of the matrix products of one forward pass, times 2
// (FLOPs): Q,K,V,O projections, attention scores and mixing, the two FF layers, the logit head.
func (c headConfig) forwardFLOPs() float64 {
	b, n, d, f := float64(c.Batch), float64(c.tokens()), float64(c.Width), float64(c.FF)
	proj := 4 * n * d * d
	attn := 2 * n * n * d
	ff := 2 * n * d * f
	head := float64(c.Classes) * d
	return 2 * b * (proj + attn + ff + head)
}

func headLogits(ctx *context.Context, c headConfig, x *Node) *Node {
	att := layers.MultiHeadAttention(ctx.In("attention"), x, x, x, c.Heads, c.Width/c.Heads).SetOutputDim(c.Width).Done()
	h := layers.LayerNormalization(ctx.In("norm1"), Add(x, att), -1).Done()
	f := activations.Relu(layers.Dense(ctx.In("ff1"), h, true, c.FF))
	f = layers.Dense(ctx.In("ff2"), f, true, c.Width)
	h = layers.LayerNormalization(ctx.In("norm2"), Add(h, f), -1).Done()
	classTokens := Slice(h, AxisRange(), AxisRangeToEnd(c.Video))
	return Squeeze(layers.Dense(ctx.In("logit"), classTokens, true, 1), -1) // [B, Classes]
}

// headTrainer builds a training step (forward, backward, Adam update) and an inference step.
type headTrainer struct {
	cfg       headConfig
	ctx       *context.Context
	step, fwd *context.Exec
	x, labels *tensors.Tensor
}

func newHeadTrainer(backend backends.Backend, c headConfig, seed uint64) (*headTrainer, error) {
	ctx := context.New().Checked(false) // the step and inference graphs share the variables
	if err := ctx.SetRNGStateFromSeed(int64(seed)); err != nil {
		return nil, err
	}
	opt := optimizers.Adam().LearningRate(1e-3).Done()
	step, err := context.NewExec(backend, ctx, func(ctx *context.Context, x, labels *Node) *Node {
		logits := headLogits(ctx, c, x)
		loss := losses.BinaryCrossentropyLogits([]*Node{labels}, []*Node{logits})
		loss = ReduceAllMean(loss)
		opt.UpdateGraph(ctx, x.Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	fwd, err := context.NewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
		return headLogits(ctx, c, x)
	})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	xs := make([]float32, c.Batch*c.tokens()*c.Width)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	ys := make([]float32, c.Batch*c.Classes)
	for i := range ys {
		if rng.Float64() < 0.1 {
			ys[i] = 1
		}
	}
	return &headTrainer{cfg: c, ctx: ctx, step: step, fwd: fwd,
		x:      tensors.FromFlatDataAndDimensions(xs, c.Batch, c.tokens(), c.Width),
		labels: tensors.FromFlatDataAndDimensions(ys, c.Batch, c.Classes)}, nil
}

// Step runs one training step and returns the loss before the update.
func (h *headTrainer) Step() (float32, error) {
	out, err := h.step.Exec(h.x, h.labels)
	if err != nil {
		return 0, err
	}
	defer out[0].FinalizeAll()
	return tensors.ToScalar[float32](out[0]), nil
}

// Infer runs the forward pass only.
func (h *headTrainer) Infer() error {
	out, err := h.fwd.Exec(h.x)
	if err != nil {
		return err
	}
	out[0].FinalizeAll()
	return nil
}

func (c headConfig) String() string {
	return fmt.Sprintf("B=%d tokens=%d+%d width=%d heads=%d ff=%d", c.Batch, c.Video, c.Classes, c.Width, c.Heads, c.FF)
}

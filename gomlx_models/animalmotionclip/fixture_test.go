package animalmotionclip

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The reference fixture testdata/model.npz comes from testdata/gen_fixtures.py: an independent
// tiny PyTorch AnimalMotionCLIP (torch 1.13.0a0, numpy 1.24.2, Debian python3-torch; patches by
// conv2d, attention by F.multi_head_attention_forward, F.layer_norm, F.binary_cross_entropy_with_logits)
// computed in float64 and stored as float32. The Go model runs in float32 on purego.

// fixtureTol bounds max|go − ref| / max|ref| per tensor: float32 arithmetic through two
// cross-frame blocks, the MIT and the prompt generator against a float64 reference (measured
// worst: 5.6e-6, a gradient of the second block's message attention).
const fixtureTol = 2e-5

// Some gradients are zero by construction, and the reference's are ~1e-17: the key biases
// (softmax is invariant to a shift common to a query's scores) and the first block's message
// attention query/key weights (every frame of a video enters block 0 with the same class token,
// so the message attention is uniform whatever q and k). For a reference tensor below zeroRef the
// Go tensor must be below zeroTol in absolute value (float32 rounding of a sum that cancels).
const (
	zeroRef = 1e-12
	zeroTol = 1e-6
)

// relErr is max|got - want| / max|want|, or for a reference below zeroRef (zero by
// construction) an absolute check scaled to the tolerance; +Inf if the lengths differ.
func relErr(got, want []float32) float64 {
	if len(got) == len(want) && fixturetest.MaxAbs(want) < zeroRef {
		return fixturetest.MaxAbs(got) / zeroTol * fixtureTol
	}
	return fixturetest.RelErrFloor(got, want, 0)
}

// fixtureConfig is the fixture's classifier (gen_fixtures.py's sizes).
func fixtureConfig(sz []float32) Config {
	i := func(k int) int { return int(sz[k]) }
	c := Config{ImageSize: i(3), Channels: i(4), Patch: i(5), Width: i(6), Heads: i(7), Layers: i(8), MITLayers: i(9),
		PromptLayers: i(10), MLPRatio: i(11), TextDim: i(12), Classes: i(13), Frames: i(2), Classifiers: i(1)}
	if len(sz) > 14 {
		c.Stem = i(14)
	}
	return c
}

// TestFixtureMatchesPyTorch: with the fixture's weights, the logits of the M classifiers, the
// aggregated scores, the video embeddings, the loss and the gradients of the loss with respect
// to every weight and to the frames match the PyTorch reference.
func TestFixtureMatchesPyTorch(t *testing.T) {
	backend := fixturetest.Backend(t)
	arr := fixturetest.Read(t, "model.npz")
	cfg := fixtureConfig(arr["cfg:sizes"].Data)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	refs := fixturetest.LoadWeights(ctx, arr)
	in := func(k string) *tensors.Tensor { return fixturetest.Tensor(arr[k]) }
	// Every variable the Go model creates must come from the fixture (none initialised here).
	nFixture := len(refs)
	exec := context.MustNewExec(backend, ctx.Reuse(), func(ctx *context.Context, frames, text, y *Node) []*Node {
		out := Forward(ctx, cfg, frames, text)
		loss := Loss(out.Logits, y)
		res := []*Node{out.Logits, out.Scores, out.Video, loss}
		for _, r := range refs {
			res = append(res, Gradient(loss, ctx.InspectVariable(r.Scope, r.Name).ValueGraph(frames.Graph()))...)
		}
		return append(res, Gradient(loss, frames)...)
	})
	outs, err := exec.Exec(in("in:frames"), in("in:text"), in("in:labels"))
	if err != nil {
		t.Fatal(err)
	}
	nVars := 0
	for range ctx.IterVariables() {
		nVars++
	}
	if nVars != nFixture {
		t.Errorf("the Go model has %d variables, the fixture %d", nVars, nFixture)
	}
	keys := []string{"out:logits", "out:scores", "out:video", "out:loss"}
	for _, r := range refs {
		keys = append(keys, r.GradKey())
	}
	keys = append(keys, "g:frames")
	worst, worstKey := fixturetest.Compare(t, arr, keys, outs, fixtureTol, relErr)
	t.Logf("%d tensors compared; worst relative error %.3g (%s)", len(keys), worst, worstKey)
}

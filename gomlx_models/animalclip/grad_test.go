package animalclip

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// gradSeed seeds the gradient checks' contexts (gradcheck.Case.Seed).
const gradSeed = 5

// gradConfig is a tiny head: D 4, hidden 2 (so the first GCN layer has its LeakyReLU), 2 heads.
func gradConfig() Config {
	c := CodeConfig(4, 3)
	c.GCNHidden, c.Heads, c.PromptLayers = 2, 2, 1
	return c
}

// small graph: 3 animals, 2 classes; species {0, 2} and {1}.
func gradGraph() (rel, sel, multihot, adj *tensors.Tensor) {
	r := [][]float64{{1, 0}, {1, 1}, {0, 1}}
	s := [][][]float64{{{1, 0, 0}, {0, 0, 1}}, {{0, 1, 0}, {0, 0, 0}}}
	m := [][]float64{{1, 0, 1}, {0, 1, 0}}
	a := make([][]float64, 5)
	for i := range a {
		a[i] = make([]float64, 5)
		a[i][i] = 1
	}
	for i := range r {
		for j := range r[i] {
			if r[i][j] == 1 {
				a[i][3+j], a[3+j][i] = 1, 1
			}
		}
	}
	return tensors.FromValue(r), tensors.FromValue(s), tensors.FromValue(m), tensors.FromValue(a)
}

// TestGradients checks the new layers' gradients against float64 central differences on
// purego: both GCN forms, the prompt module with one key token (Animal-CLIP's case) and with
// two (the general attention), the video branch, and the whole head through the loss.
func TestGradients(t *testing.T) {
	backend := fixturetest.Backend(t)
	cfg := gradConfig()
	rel, sel, mh, adj := gradGraph()
	targets := tensors.FromValue([][]float64{{1, 0}, {1, 1}})
	cases := []gradcheck.Case{
		{Name: "gcn sparse", Inputs: []*tensors.Tensor{fixturetest.Smooth(0.2, 0.8, 3, 4), fixturetest.Smooth(0.9, 0.8, 2, 4), rel, sel},
			Build: func(ctx *context.Context, in []*Node) *Node { return cfg.GCN(ctx, in[0], in[1], in[2], in[3]) }},
		{Name: "gcn dense", Inputs: []*tensors.Tensor{fixturetest.Smooth(0.2, 0.8, 3, 4), fixturetest.Smooth(0.9, 0.8, 2, 4), adj, mh},
			Build: func(ctx *context.Context, in []*Node) *Node { return cfg.GCNDense(ctx, in[0], in[1], in[2], in[3]) }},
		{Name: "prompt one key", Inputs: []*tensors.Tensor{fixturetest.Smooth(0.4, 0.8, 2, 3, 4), fixturetest.Smooth(1.3, 0.8, 2, 1, 4)},
			Build: func(ctx *context.Context, in []*Node) *Node { return cfg.SpeciesPrompt(ctx, in[0], in[1]) }},
		{Name: "prompt two keys", Inputs: []*tensors.Tensor{fixturetest.Smooth(0.4, 0.8, 2, 3, 4), fixturetest.Smooth(1.3, 0.8, 2, 2, 4)},
			Build: func(ctx *context.Context, in []*Node) *Node { return cfg.SpeciesPrompt(ctx, in[0], in[1]) }},
		{Name: "video branch", Inputs: []*tensors.Tensor{fixturetest.Smooth(0.7, 0.8, 2, 3, 3)},
			Build: func(ctx *context.Context, in []*Node) *Node { return cfg.VideoBranch(ctx, in[0]) }},
		{Name: "head loss", Inputs: []*tensors.Tensor{fixturetest.Smooth(0.7, 0.8, 2, 3, 3), fixturetest.Smooth(0.9, 0.8, 2, 4), fixturetest.Smooth(0.2, 0.8, 3, 4), rel, sel, targets},
			Build: func(ctx *context.Context, in []*Node) *Node {
				out := cfg.Forward(ctx, Inputs{Video: cfg.VideoBranch(ctx, in[0]), Classes: in[1], Animals: in[2], Rel: in[3], Sel: in[4]})
				return Concatenate([]*Node{Reshape(Loss(out.Logits, in[5]), 1), Reshape(Scores(out.Logits), 4)}, 0)
			}},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			c.Seed, c.Logf = gradSeed, t.Logf
			fixturetest.GradReport(t)(gradcheck.Run(backend, c, gradcheck.DefaultTolerance))
		})
	}
}

// TestSingleKeyShortcut: with one key token the prompt module's skipped query path equals the
// general attention (softmax over one key is 1).
func TestSingleKeyShortcut(t *testing.T) {
	backend := fixturetest.Backend(t)
	cfg := gradConfig()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		t.Fatal(err)
	}
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, q, kv *Node) (*Node, *Node) {
		short := cfg.crossAttention(ctx, q, kv) // creates v_proj and proj
		ctx = ctx.Reuse()
		v := linear(ctx.In("v_proj"), kv, 4, false)
		ctx = ctx.Checked(false)
		return short, linear(ctx.In("proj"), cfg.attend(ctx, q, kv, v, false), 4, true)
	})
	outs, err := exec.Exec(fixturetest.Smooth(0.1, 0.8, 2, 3, 4), fixturetest.Smooth(0.5, 0.8, 2, 1, 4))
	if err != nil {
		t.Fatal(err)
	}
	a, b := outs[0].Value().([][][]float64), outs[1].Value().([][][]float64)
	for i := range a {
		for j := range a[i] {
			for k := range a[i][j] {
				if d := math.Abs(a[i][j][k] - b[i][j][k]); d > 1e-12 || a[i][j][k] == 0 {
					t.Fatalf("[%d,%d,%d]: shortcut %g, attention %g", i, j, k, a[i][j][k], b[i][j][k])
				}
			}
		}
	}
}

package animalclip

import (
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The reference fixture testdata/head.npz comes from testdata/gen_fixtures.py: an independent
// small PyTorch Animal-CLIP head (torch 1.13, Debian python3-torch) in float64, stored as
// float32. The Go head runs in float32 on purego.
//
// fixtureTol bounds max|go - ref| / max|ref| per tensor: float32 against a float64 reference
// through two LayerNorms, three prompt layers' worth of residual sums and a softmax.
const fixtureTol = 2e-5

// zeroTol bounds the Go value of a gradient that is exactly 0 in the reference.
const zeroTol = 1e-7

var maxAbs = fixturetest.MaxAbs

func fixtureConfig(sz []float32) Config {
	c := CodeConfig(int(sz[2]), int(sz[9]))
	c.GCNHidden, c.Heads, c.PromptLayers = int(sz[3]), int(sz[4]), int(sz[5])
	return c
}

// TestFixtureMatchesPyTorch: with the fixture's weights, the dense-adjacency GCN, the
// species-sparse GCN, both prompt modules, the video branch, the logits, the scores, the loss
// and the gradients of the loss with respect to every weight and input match the reference.
func TestFixtureMatchesPyTorch(t *testing.T) {
	backend := fixturetest.Backend(t)
	arr := fixturetest.Read(t, "head.npz")
	cfg := fixtureConfig(arr["cfg:sizes"].Data)
	ctx := context.New()
	var refs []fixturetest.Weight
	for _, w := range fixturetest.LoadWeights(ctx, arr) {
		// The single-key prompt path never uses the q/k projections (their gradient is exactly
		// 0, asserted by gen_fixtures.py; norm1 is built and its zero gradient compared).
		if strings.HasPrefix(w.Scope, "/prompts") && (strings.Contains(w.Scope, "q_proj") || strings.Contains(w.Scope, "k_proj")) {
			continue
		}
		refs = append(refs, w)
	}
	in := func(k string) *tensors.Tensor { return fixturetest.Tensor(arr[k]) }
	exec := context.MustNewExec(backend, ctx.Reuse(), func(ctx *context.Context, ins []*Node) []*Node {
		frames, classes, animals, rel, sel, multihot, adj, targets := ins[0], ins[1], ins[2], ins[3], ins[4], ins[5], ins[6], ins[7]
		video := cfg.VideoBranch(ctx, frames)
		dense := cfg.GCNDense(ctx, animals, classes, adj, multihot)
		sparse := cfg.GCN(ctx, animals, classes, rel, sel)
		a := ReduceAndKeep(Einsum("bsn,nd->bsd", sel, animals), ReduceSum, 1)
		p1 := cfg.SpeciesPrompt(ctx.In(TextPromptScope), sparse, a)
		p2 := cfg.SpeciesPrompt(ctx.In(VideoPromptScope), InsertAxes(video, 1), a)
		out := cfg.Forward(ctx, Inputs{Video: video, Classes: classes, Animals: animals, Rel: rel, Sel: sel})
		loss := Loss(out.Logits, targets)
		res := []*Node{video, dense, sparse, p1, Squeeze(p2, 1), out.Logits, Scores(out.Logits), loss}
		for _, r := range refs {
			res = append(res, Gradient(loss, ctx.InspectVariable(r.Scope, r.Name).ValueGraph(frames.Graph()))...)
		}
		return append(res, Gradient(loss, frames, classes, animals)...)
	})
	outs, err := exec.Exec([]any{in("in:frames"), in("in:classes"), in("in:animals"), in("in:rel"), in("in:sel"), in("in:multihot"), in("in:adj"), in("in:targets")}...)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"out:video", "out:gcn", "out:gcn", "out:p1", "out:p2", "out:logits", "out:scores", "out:loss"}
	for _, r := range refs {
		keys = append(keys, r.GradKey())
	}
	keys = append(keys, "g:in:frames", "g:in:classes", "g:in:animals")
	if len(keys) != len(outs) {
		t.Fatalf("%d outputs for %d keys", len(outs), len(keys))
	}
	if len(refs) < 40 {
		t.Fatalf("only %d weights in the fixture", len(refs))
	}
	for i, k := range keys {
		if maxAbs(arr[k].Data) < 1e-12 {
			// An exactly-zero reference gradient (the k bias of attention, norm1 of the
			// single-key prompts): the Go value must be float32 rounding noise.
			if e := maxAbs(fixturetest.Flat(outs[i])); e > zeroTol {
				t.Errorf("output %d %s: |go| = %.3g, want 0 (< %g)", i, k, e, zeroTol)
			}
			continue
		}
		if e := fixturetest.RelErr(fixturetest.Flat(outs[i]), arr[k].Data); !(e <= fixtureTol) {
			t.Errorf("output %d %s: relative error %.3g > %g", i, k, e, fixtureTol)
		}
	}
}

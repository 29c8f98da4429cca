package gafdet

import (
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// testdata/gafdet.npz comes from gomlx_models/afsd/testdata/gen_fixtures.py (gafdet_fixture):
// an independent PyTorch GAF-on-AFSD in float64, stored as float32.
const fixtureTol = 2e-4 // max|go - ref| / max|ref| per tensor, float32 against float64

// TestFixture: λ, the fore/background features (the code's form), L_ai, L_n-ai, L_R against the
// background (the code's target), the weighted total and its gradients with respect to every
// non-CVAE weight and the input; L_CVAE of the CVAE pass and its gradients with respect to the
// CVAE's weights.
func TestFixture(t *testing.T) {
	arr := fixturetest.Read(t, "gafdet.npz")
	sz := arr["cfg:sizes"].Data
	H, CH, Z := int(sz[0]), int(sz[1]), int(sz[2])
	bgw, beta, wr := float64(sz[3]), float64(sz[4]), float64(sz[5])
	det := afsd.Config{FeatureDim: 6, Channels: 8, Groups: 2, Classes: 3, ClipLength: 64, Levels: 4}
	c := Config{Detector: det, LambdaHidden: H, Pool: PoolCode, BgWeight: bgw, ReconTarget: ReconBackground,
		CVAE: gafm.Config{FeatureDim: 6, Hidden: 1, CVAEHidden: CH, Latent: Z, Classes: 3, Beta: beta}}
	c.Detector.Groups = 2
	if err := c.Validate(); err != nil {
		// λ hidden 4 with 2 groups is valid; a failure here is a bug in Validate.
		t.Fatal(err)
	}
	backend := fixturetest.Backend(t)
	ctx := context.New()
	var seg, cv []fixturetest.Weight
	for _, w := range fixturetest.LoadWeights(ctx, arr) {
		if strings.HasPrefix(w.Scope, "/cvae") {
			cv = append(cv, w)
		} else {
			seg = append(seg, w)
		}
	}
	exec := context.MustNewExec(backend, ctx.Reuse(), func(ctx *context.Context, in []*Node) []*Node {
		x := in[0]
		out := Forward(ctx, c, x, true)
		total, ai, nai, recon := Loss(ctx, c, x, out, afsd.Targets{Loc: in[1], Conf: in[2], Start: in[3], End: in[4]}, in[5], Const(x.Graph(), float32(wr)))
		cvae := CVAEStep(ctx, c, x, out.Lambda, in[6])
		res := []*Node{out.Lambda, out.FG, out.BG, ai, nai, recon, total, cvae}
		grad := func(loss *Node, w fixturetest.Weight) *Node {
			return Gradient(loss, ctx.InAbsPath(w.Scope).GetVariable(w.Name).ValueGraph(x.Graph()))[0]
		}
		for _, k := range seg {
			res = append(res, grad(total, k))
		}
		for _, k := range cv {
			res = append(res, grad(cvae, k))
		}
		return append(res, Gradient(total, x)...)
	})
	outs, err := exec.Exec([]any{fixturetest.Tensor(arr["in:x"]), fixturetest.Tensor(arr["in:loc_t"]), fixturetest.Int32(arr["in:conf_t"]),
		fixturetest.Tensor(arr["in:start"]), fixturetest.Tensor(arr["in:end"]), fixturetest.Tensor(arr["in:eps_p"]), fixturetest.Tensor(arr["in:eps_q"])}...)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"out:lambda", "out:fg", "out:bg", "out:ai", "out:nai", "out:recon", "out:total", "out:cvae"}
	for _, w := range seg {
		names = append(names, w.GradKey())
	}
	for _, w := range cv {
		names = append(names, "gc"+strings.TrimPrefix(w.Key, "w"))
	}
	names = append(names, "g:x")
	fixturetest.Compare(t, arr, names, outs, fixtureTol, nil)
}

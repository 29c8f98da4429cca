package gaf

import (
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The reference fixtures testdata/{eq12,bg35}.npz come from testdata/gen_fixtures.py: an
// independent tiny PyTorch GAF module (torch 1.13.0a0, numpy 1.24.2, Debian python3-torch)
// computed in float64 and stored as float32. The Go module runs in float32 on purego.
const (
	// fixtureTol bounds max|go - ref| / max|ref| per tensor: float32 against a float64 reference.
	fixtureTol = 1e-5
	// fixtureSizes are the fixture's D, H, C, Z, K (gen_fixtures.py).
	fD, fH, fC, fZ, fK = 6, 4, 5, 3, 4
)

// TestFixturesMatchPyTorch: with the fixture's weights, λ, Eq. 11 pooling, the logits, L_clf,
// L_R, the CVAE's outputs and L_CVAE (with its parts), and the gradients of both training steps
// match the PyTorch reference.
func TestFixturesMatchPyTorch(t *testing.T) {
	backend := fixturetest.Backend(t)
	for _, name := range []string{"eq12", "bg35"} {
		t.Run(name, func(t *testing.T) {
			arr := fixturetest.Read(t, name+".npz")
			cfg := Config{FeatureDim: fD, Hidden: fH, CVAEHidden: fC, Latent: fZ, Classes: fK,
				Beta: float64(arr["cfg:beta"].Data[0]), BgWeight: float64(arr["cfg:bg"].Data[0])}
			wr := float64(arr["cfg:wr"].Data[0])
			ctx := context.New()
			refs := fixturetest.LoadWeights(ctx, arr)
			in := func(k string) *tensors.Tensor { return fixturetest.Tensor(arr[k]) }
			exec := context.MustNewExec(backend, ctx.Reuse(), func(ctx *context.Context, x, mask, y, epsQ, epsP *Node) []*Node {
				out := Forward(ctx, cfg, x, mask)
				clf := ClfLoss(out.LogitsAI, out.LogitsNAI, y, cfg.BgWeight)
				n := x.Shape().Dimensions[0] * x.Shape().Dimensions[1]
				xf := Reshape(x, n, cfg.FeatureDim)
				lf := Reshape(out.Lambda, n)
				wf := Reshape(mask, n)
				recon := ReconLoss(ctx, cfg, xf, lf, epsP, wf)
				seg := Add(ReduceAllMean(clf), MulScalar(recon, wr))
				ld, xd := StopGradient(lf), StopGradient(xf)
				mu, logVar := Encode(ctx, cfg, xd, ld)
				fhat := Decode(ctx, cfg, Reparameterize(mu, logVar, epsQ), ld)
				cv, mse, kl := CVAELoss(xd, fhat, mu, logVar, ld, wf, cfg.Beta)
				res := []*Node{out.Lambda, out.FAI, out.FNAI, out.LogitsAI, out.LogitsNAI, clf, recon, seg, mu, logVar, fhat, mse, kl, cv}
				for _, r := range refs {
					v := ctx.InspectVariable(r.Scope, r.Name).ValueGraph(x.Graph())
					if strings.HasPrefix(r.Scope, "/"+CVAEScope) {
						res = append(res, Gradient(cv, v)...)
					} else {
						res = append(res, Gradient(seg, v)...)
					}
				}
				return append(res, Gradient(seg, x)...)
			})
			outs, err := exec.Exec(in("in:x"), in("in:mask"), fixturetest.Int32(arr["in:labels"]), in("in:eps_q"), in("in:eps_p"))
			if err != nil {
				t.Fatal(err)
			}
			keys := []string{"out:lambda", "out:fai", "out:fnai", "out:logits_ai", "out:logits_nai", "out:clf", "out:recon", "out:seg",
				"out:mu", "out:logvar", "out:fhat", "out:mse", "out:kl", "out:cvae"}
			for _, r := range refs {
				keys = append(keys, r.GradKey())
			}
			keys = append(keys, "g:x")
			fixturetest.Compare(t, arr, keys, outs, fixtureTol, nil)
		})
	}
}

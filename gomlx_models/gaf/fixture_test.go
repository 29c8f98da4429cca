package gaf

import (
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data/npy"
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

func relErr(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var num, den float64
	for i := range want {
		num = math.Max(num, math.Abs(float64(got[i])-float64(want[i])))
		den = math.Max(den, math.Abs(float64(want[i])))
	}
	return num / math.Max(den, 1e-6)
}

func flat(t *tensors.Tensor) []float32 {
	var out []float32
	t.ConstFlatData(func(v any) { out = append(out, v.([]float32)...) })
	return out
}

// TestFixturesMatchPyTorch: with the fixture's weights, λ, Eq. 11 pooling, the logits, L_clf,
// L_R, the CVAE's outputs and L_CVAE (with its parts), and the gradients of both training steps
// match the PyTorch reference.
func TestFixturesMatchPyTorch(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	for _, name := range []string{"eq12", "bg35"} {
		t.Run(name, func(t *testing.T) {
			arr, err := npy.ReadNPZ(filepath.Join("testdata", name+".npz"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{FeatureDim: fD, Hidden: fH, CVAEHidden: fC, Latent: fZ, Classes: fK,
				Beta: float64(arr["cfg:beta"].Data[0]), BgWeight: float64(arr["cfg:bg"].Data[0])}
			wr := float64(arr["cfg:wr"].Data[0])
			ctx := context.New()
			type ref struct{ scope, name, key string }
			var refs []ref
			for k, a := range arr {
				if !strings.HasPrefix(k, "w:") {
					continue
				}
				p := strings.Split(k, ":")
				refs = append(refs, ref{p[1], p[2], k})
				ctx.InAbsPath(p[1]).VariableWithValue(p[2], tensors.FromFlatDataAndDimensions(append([]float32(nil), a.Data...), a.Shape...))
			}
			sort.Slice(refs, func(i, j int) bool { return refs[i].key < refs[j].key })
			in := func(k string) *tensors.Tensor {
				a := arr[k]
				return tensors.FromFlatDataAndDimensions(append([]float32(nil), a.Data...), a.Shape...)
			}
			lab := arr["in:labels"]
			labels := make([]int32, len(lab.Data))
			for i, v := range lab.Data {
				labels[i] = int32(v)
			}
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
					v := ctx.InspectVariable(r.scope, r.name).ValueGraph(x.Graph())
					if strings.HasPrefix(r.scope, "/"+CVAEScope) {
						res = append(res, Gradient(cv, v)...)
					} else {
						res = append(res, Gradient(seg, v)...)
					}
				}
				return append(res, Gradient(seg, x)...)
			})
			outs, err := exec.Exec(in("in:x"), in("in:mask"), tensors.FromFlatDataAndDimensions(labels, len(labels)), in("in:eps_q"), in("in:eps_p"))
			if err != nil {
				t.Fatal(err)
			}
			keys := []string{"out:lambda", "out:fai", "out:fnai", "out:logits_ai", "out:logits_nai", "out:clf", "out:recon", "out:seg",
				"out:mu", "out:logvar", "out:fhat", "out:mse", "out:kl", "out:cvae"}
			for _, r := range refs {
				keys = append(keys, "g"+strings.TrimPrefix(r.key, "w"))
			}
			keys = append(keys, "g:x")
			if len(keys) != len(outs) {
				t.Fatalf("%d outputs for %d keys", len(outs), len(keys))
			}
			for i, k := range keys {
				want, ok := arr[k]
				if !ok {
					t.Fatalf("fixture lacks %s", k)
				}
				if e := relErr(flat(outs[i]), want.Data); !(e <= fixtureTol) {
					t.Errorf("%s: relative error %.3g > %g", k, e, fixtureTol)
				}
			}
		})
	}
}

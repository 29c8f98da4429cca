package gafdet

import (
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data/npy"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// testdata/gafdet.npz comes from gomlx_models/afsd/testdata/gen_fixtures.py (gafdet_fixture):
// an independent PyTorch GAF-on-AFSD in float64, stored as float32.
const fixtureTol = 2e-4 // max|go - ref| / max|ref| per tensor, float32 against float64

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

func tensorOf(a *npy.Array) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(append([]float32(nil), a.Data...), a.Shape...)
}

// TestFixture: λ, the fore/background features (the code's form), L_ai, L_n-ai, L_R against the
// background (the code's target), the weighted total and its gradients with respect to every
// non-CVAE weight and the input; L_CVAE of the CVAE pass and its gradients with respect to the
// CVAE's weights.
func TestFixture(t *testing.T) {
	arr, err := npy.ReadNPZ(filepath.Join("testdata", "gafdet.npz"))
	if err != nil {
		t.Fatal(err)
	}
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
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	ctx := context.New()
	var seg, cv []string
	for k, a := range arr {
		if !strings.HasPrefix(k, "w:") {
			continue
		}
		p := strings.Split(k, ":")
		ctx.InAbsPath(p[1]).VariableWithValue(p[2], tensorOf(a))
		if strings.HasPrefix(p[1], "/cvae") {
			cv = append(cv, k)
		} else {
			seg = append(seg, k)
		}
	}
	sort.Strings(seg)
	sort.Strings(cv)
	conf := arr["in:conf_t"]
	ci := make([]int32, len(conf.Data))
	for i, v := range conf.Data {
		ci[i] = int32(v)
	}
	exec := context.MustNewExec(backend, ctx.Reuse(), func(ctx *context.Context, in []*Node) []*Node {
		x := in[0]
		out := Forward(ctx, c, x, true)
		total, ai, nai, recon := Loss(ctx, c, x, out, afsd.Targets{Loc: in[1], Conf: in[2], Start: in[3], End: in[4]}, in[5], Const(x.Graph(), float32(wr)))
		cvae := CVAEStep(ctx, c, x, out.Lambda, in[6])
		res := []*Node{out.Lambda, out.FG, out.BG, ai, nai, recon, total, cvae}
		grad := func(loss *Node, k string) *Node {
			p := strings.Split(k, ":")
			return Gradient(loss, ctx.InAbsPath(p[1]).GetVariable(p[2]).ValueGraph(x.Graph()))[0]
		}
		for _, k := range seg {
			res = append(res, grad(total, k))
		}
		for _, k := range cv {
			res = append(res, grad(cvae, k))
		}
		return append(res, Gradient(total, x)...)
	})
	outs, err := exec.Exec([]any{tensorOf(arr["in:x"]), tensorOf(arr["in:loc_t"]), tensors.FromFlatDataAndDimensions(ci, conf.Shape...),
		tensorOf(arr["in:start"]), tensorOf(arr["in:end"]), tensorOf(arr["in:eps_p"]), tensorOf(arr["in:eps_q"])}...)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"out:lambda", "out:fg", "out:bg", "out:ai", "out:nai", "out:recon", "out:total", "out:cvae"}
	for _, k := range seg {
		names = append(names, "g"+strings.TrimPrefix(k, "w"))
	}
	for _, k := range cv {
		names = append(names, "gc"+strings.TrimPrefix(k, "w"))
	}
	names = append(names, "g:x")
	for i, k := range names {
		want, ok := arr[k]
		if !ok {
			t.Fatalf("fixture lacks %s", k)
		}
		if e := relErr(flat(outs[i]), want.Data); !(e <= fixtureTol) {
			t.Errorf("%s: relative error %.3g > %g", k, e, fixtureTol)
		}
	}
}

package artemis

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/internal/data/npy"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The reference fixtures in testdata/ come from gen_fixtures.py: an
// independent tiny PyTorch ARTEMIS (torch 1.13.0a0, Debian python3-torch)
// written from the paper and the authors' code, computed in float64 in eval
// mode and stored as float32. The Go model runs in float32 on purego.
const (
	// fixtureTol bounds max|go - ref| / max|ref| per tensor (logits, each
	// loss, each gradient): float32 against a float64 reference.
	fixtureTol = 1e-5
	// ccaTol is the same measure for the code's CCA loss and its gradients:
	// the Go loss runs 30 Newton–Schulz steps in float32 (square roots,
	// inverses, polar factor) where PyTorch inverts and takes an SVD in
	// float64. Reached: 1e-6 on the loss and gradients of TestCCAMatchesSVD;
	// 1.3e-5 through the whole model, on the W_j bias gradient, which is
	// zero in exact arithmetic (centring removes it) and round-off in both.
	ccaTol = 2e-5
	// gradScaleFloor: a gradient tensor is compared relative to the larger
	// of its own max|ref| and gradScaleFloor times the largest |ref|
	// gradient of the case. Some gradients are zero in exact arithmetic and
	// round-off in both implementations (the attention key biases: softmax
	// ignores a shift common to all keys; under the CCA loss, biases and
	// class queries that centring removes; W_hh from a zero state).
	gradScaleFloor = 1e-2
	// mismatchMin is the least relative difference that shows a paper-form
	// option computes a different function from the code's fixture.
	mismatchMin = 1e-3
)

type fixtureCase struct {
	Name        string               `json:"name"`
	Text        string               `json:"text"`
	Res         map[string]bool      `json:"res"`
	Fusion      string               `json:"fusion"`
	Enc         int                  `json:"enc"`
	Dec         int                  `json:"dec"`
	Align       string               `json:"align"`
	AcrossBatch bool                 `json:"across_batch"`
	AlignWeight float64              `json:"align_weight"`
	Weights     [][2]json.RawMessage `json:"weights"` // [key "scope|name", dims], in the order of the flat arrays
}

type fixtureFile struct {
	Sizes map[string]int `json:"sizes"`
	Cases []fixtureCase  `json:"cases"`
}

type weightRef struct {
	scope, name string
	dims        []int
	off, n      int
}

func loadFixtureIndex(t *testing.T) fixtureFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixtureFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("testdata/cases.json: %v", err)
	}
	return f
}

func (fc fixtureCase) refs(t *testing.T) []weightRef {
	var out []weightRef
	off := 0
	for _, w := range fc.Weights {
		var key string
		var dims []int
		if err := json.Unmarshal(w[0], &key); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(w[1], &dims); err != nil {
			t.Fatal(err)
		}
		i := strings.Index(key, "|")
		n := 1
		for _, d := range dims {
			n *= d
		}
		out = append(out, weightRef{scope: key[:i], name: key[i+1:], dims: dims, off: off, n: n})
		off += n
	}
	return out
}

// config is the Go config of a fixture case: the authors' code at the
// fixture's sizes.
func (fc fixtureCase) config(s map[string]int) Config {
	r := Residuals{Hv: fc.Res["Hv"], Seq: fc.Res["Seq"], Backbone: fc.Res["Backbone"], Hq: fc.Res["Hq"], F: fc.Res["F"]}
	c := CodeConfig(fc.Text, r)
	c.NumFrames, c.VideoDim, c.ImageDim, c.EmbedDim, c.NumClass, c.Tokens = s["N"], s["D"], s["image_dim"], s["E"], s["K"], s["tokens"]
	c.Heads, c.FFDim, c.TextHidden = s["heads"], s["ff"], s["hidden"]
	c.Fusion, c.EncLayers, c.DecLayers = fc.Fusion, fc.Enc, fc.Dec
	c.TextAcrossBatch = fc.AcrossBatch
	c.Align, c.AlignWeight = fc.Align, fc.AlignWeight
	return c
}

type fixtureResult struct {
	logits, bce, align, total []float32
	grads, gradsAlign         [][]float32
}

// runFixture loads the case's weights into a fresh context and evaluates
// the Go model (eval mode unless training). With strict, every variable the
// model creates must come from the fixture.
func runFixture(t *testing.T, fc fixtureCase, cfg Config, arr map[string]*npy.Array, strict, training bool) fixtureResult {
	t.Helper()
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(5))
	refs := fc.refs(t)
	w := arr["w"].Data
	for _, r := range refs {
		v := tensors.FromFlatDataAndDimensions(append([]float32(nil), w[r.off:r.off+r.n]...), r.dims...)
		ctx.InAbsPath(r.scope).VariableWithValue(r.name, v)
	}
	bctx := ctx.Checked(false)
	if strict {
		bctx = ctx.Reuse()
	}
	tensor := func(name string) *tensors.Tensor { return fixturetest.Tensor(arr[name]) }
	hasAlign := cfg.Align != AlignNone
	exec := context.MustNewExec(fixturetest.Backend(t), bctx, func(ctx *context.Context, v, im, d, y *Node) []*Node {
		g := v.Graph()
		if training {
			ctx.SetTraining(g, true)
		}
		out := cfg.Build(ctx, v, im, d)
		total, bce, align := cfg.Loss(ctx, out, y)
		if align == nil {
			align = ScalarZero(g, total.DType())
		}
		nodes := make([]*Node, len(refs))
		for i, r := range refs {
			nodes[i] = ctx.InspectVariable(r.scope, r.name).ValueGraph(g)
		}
		res := []*Node{out.Logits, bce, align, total}
		res = append(res, Gradient(total, nodes...)...)
		if hasAlign {
			res = append(res, Gradient(align, nodes...)...)
		}
		return res
	})
	outs, err := exec.Exec(tensor("in.video"), tensor("in.image"), tensor("in.desc"), tensor("in.targets"))
	if err != nil {
		t.Fatal(err)
	}
	fr := fixtureResult{logits: flat(outs[0]), bce: flat(outs[1]), align: flat(outs[2]), total: flat(outs[3])}
	for i := range refs {
		fr.grads = append(fr.grads, flat(outs[4+i]))
		if hasAlign {
			fr.gradsAlign = append(fr.gradsAlign, flat(outs[4+len(refs)+i]))
		}
	}
	return fr
}

// relErr is max|got - want| / max|want| (1e-6 when want is all zero).
var relErr = fixturetest.RelErr

// loadCase reads the fixture testdata/<name>.npz.
func loadCase(t *testing.T, name string) map[string]*npy.Array {
	t.Helper()
	return fixturetest.Read(t, name+".npz")
}

// TestFixturesMatchPyTorch: the Go model with the fixture's weights gives
// the PyTorch reference's logits, losses and gradients w.r.t. every weight.
func TestFixturesMatchPyTorch(t *testing.T) {
	f := loadFixtureIndex(t)
	for _, fc := range f.Cases {
		t.Run(fc.Name, func(t *testing.T) {
			arr := loadCase(t, fc.Name)
			cfg := fc.config(f.Sizes)
			got := runFixture(t, fc, cfg, arr, true, false)
			tol := fixtureTol
			if fc.Align == AlignCCA {
				tol = ccaTol
			}
			check := func(what string, g, w []float32, tol float64) {
				if e := relErr(g, w); !(e <= tol) {
					t.Errorf("%s: relative error %.3g > %g", what, e, tol)
				}
			}
			check("logits", got.logits, arr["out.logits"].Data, fixtureTol)
			check("bce", got.bce, arr["out.bce"].Data, fixtureTol)
			check("align", got.align, arr["out.align"].Data, tol)
			check("total", got.total, arr["out.total"].Data, fixtureTol)
			refs := fc.refs(t)
			worst := 0.0
			gradCheck := func(what string, g, all []float32, r weightRef) {
				e := fixturetest.RelErrFloor(g, all[r.off:r.off+r.n], gradScaleFloor*fixturetest.MaxAbs(all))
				worst = math.Max(worst, e)
				if !(e <= tol) {
					t.Errorf("%s %s|%s: relative error %.3g > %g", what, r.scope, r.name, e, tol)
				}
			}
			for i, r := range refs {
				gradCheck("grad", got.grads[i], arr["g"].Data, r)
				if fc.Align != AlignNone {
					gradCheck("align grad", got.gradsAlign[i], arr["ga"].Data, r)
				}
			}
			t.Logf("%s: logits %.2g, worst gradient %.2g (relative)", fc.Name, relErr(got.logits, arr["out.logits"].Data), worst)
		})
	}
}

// TestFixturesPaperFormsDiffer: switching one option to the paper's reading
// must move the output away from the code's fixture, so the fixtures pin the
// code's functions.
func TestFixturesPaperFormsDiffer(t *testing.T) {
	f := loadFixtureIndex(t)
	byName := map[string]fixtureCase{}
	for _, fc := range f.Cases {
		byName[fc.Name] = fc
	}
	cases := []struct {
		fixture, what string
		mod           func(*Config)
		align         bool // compare the alignment loss instead of the logits
	}{
		{"res_seq", "RSeqForm=paper", func(c *Config) { c.RSeqForm = FormPaper }, false},
		{"res_b", "RbForm=paper", func(c *Config) { c.RbForm = FormPaper }, false},
		{"res_all", "Fusion=paper", func(c *Config) { c.Fusion, c.EncLayers, c.DecLayers = FusionPaper, 1, 0 }, false},
		{"text_bilstm", "TextAcrossBatch on", func(c *Config) { c.TextAcrossBatch = true }, false},
		{"text_gru_across", "TextAcrossBatch off", func(c *Config) { c.TextAcrossBatch = false }, false},
		{"align_contrastive", "ContrastiveForm=paper", func(c *Config) { c.ContrastiveForm = FormPaper }, true},
		{"align_cosine", "CosineAxis=feature", func(c *Config) { c.CosineAxis = CosineFeature }, true},
		{"align_cca", "CCAForm=paper", func(c *Config) { c.CCAForm = FormPaper }, true},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+tc.what, func(t *testing.T) {
			fc, ok := byName[tc.fixture]
			if !ok {
				t.Fatalf("no fixture %q", tc.fixture)
			}
			arr := loadCase(t, fc.Name)
			cfg := fc.config(f.Sizes)
			tc.mod(&cfg)
			got := runFixture(t, fc, cfg, arr, false, false)
			g, w := got.logits, arr["out.logits"].Data
			if tc.align {
				g, w = got.align, arr["out.align"].Data
			}
			if e := relErr(g, w); !(e > mismatchMin) {
				t.Errorf("%s still matches the code's fixture (relative difference %.3g <= %g)", tc.what, e, mismatchMin)
			}
		})
	}
}

// TestDropoutInTrainingOnly: with the code's dropout (0.1) the training-mode
// logits differ from the eval-mode fixture; with Dropout 0 they match it, so
// the difference is dropout alone.
func TestDropoutInTrainingOnly(t *testing.T) {
	f := loadFixtureIndex(t)
	for _, fc := range f.Cases {
		if fc.Name != "res_all" && fc.Name != "fusion_paper" {
			continue
		}
		t.Run(fc.Name, func(t *testing.T) {
			arr := loadCase(t, fc.Name)
			cfg := fc.config(f.Sizes)
			if cfg.Dropout != 0.1 {
				t.Fatalf("code dropout %g, want 0.1", cfg.Dropout)
			}
			got := runFixture(t, fc, cfg, arr, false, true)
			if e := relErr(got.logits, arr["out.logits"].Data); !(e > mismatchMin) {
				t.Errorf("training-mode logits equal the eval fixture (relative difference %.3g): dropout missing", e)
			}
			cfg.Dropout = 0
			got = runFixture(t, fc, cfg, arr, false, true)
			if e := relErr(got.logits, arr["out.logits"].Data); !(e <= fixtureTol) {
				t.Errorf("training mode without dropout: relative error %.3g > %g", e, fixtureTol)
			}
		})
	}
}

// TestCCAMatchesSVD: CCASumOfCorrelations against the authors' CCALoss
// (torch.svd of inv(Σ11) Σ12 inv(Σ22), float64) in the sample-space (n-1 <=
// e) and feature-space (n-1 > e) branches, value and gradients.
func TestCCAMatchesSVD(t *testing.T) {
	for _, name := range []string{"cca_sample", "cca_feature"} {
		t.Run(name, func(t *testing.T) {
			arr := loadCase(t, name)
			exec := MustNewExec(fixturetest.Backend(t), func(h1, h2 *Node) []*Node {
				l := CCASumOfCorrelations(h1, h2, 1e-4, DefaultCCAIters)
				gr := Gradient(l, h1, h2)
				return []*Node{l, gr[0], gr[1]}
			})
			outs, err := exec.Exec(fixturetest.Tensor(arr["in.h1"]), fixturetest.Tensor(arr["in.h2"]))
			if err != nil {
				t.Fatal(err)
			}
			worst, key := fixturetest.Compare(t, arr, []string{"out.loss", "g.h1", "g.h2"}, outs, ccaTol, nil)
			t.Logf("%s: worst relative error %.3g (%s)", name, worst, key)
		})
	}
}

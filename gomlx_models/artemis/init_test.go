package artemis

import (
	"math"
	"math/rand"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestPyTorchInit: after one build, each variable lies within PyTorch's
// default bound for its module and reaches close to it (uniform draws), or
// holds PyTorch's constant. Bounds: nn.Linear / nn.Conv1d U(±1/sqrt(fan_in))
// (weight and bias), nn.LSTM U(±1/sqrt(H)), nn.Transformer xavier_uniform_
// on matrices (in_proj over [3E, E]), zero attention biases, LayerNorm 1/0,
// GroupWiseLinear U(±1/sqrt(E)) (artemis.py:329-335).
func TestPyTorchInit(t *testing.T) {
	cfg := CodeConfig(TextBiLSTM, AllResiduals)
	cfg.NumFrames, cfg.VideoDim, cfg.ImageDim, cfg.EmbedDim, cfg.NumClass, cfg.Tokens = 8, 48, 40, 64, 30, 4
	cfg.TextHidden, cfg.Heads, cfg.FFDim, cfg.EncLayers, cfg.DecLayers = 32, 4, 96, 1, 1
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(9))
	rng := rand.New(rand.NewSource(1))
	exec := context.MustNewExec(fixturetest.Backend(t), ctx, func(ctx *context.Context, v, im, d *Node) *Node {
		return cfg.Build(ctx, v, im, d).Logits
	})
	if _, err := exec.Exec(randTensor(rng, 2, 8, 48), randTensor(rng, 2, 40), randTensor(rng, 2, 64)); err != nil {
		t.Fatal(err)
	}
	E, FF := 64.0, 96.0
	cases := []struct {
		scope, name string
		bound       float64 // 0: the constant value
		value       float64
	}{
		{"/artemis/linear1", "weights", 1 / math.Sqrt(48+E), 0},
		{"/artemis/linear2", "weights", 1 / math.Sqrt(40+E), 0},
		{"/artemis/res_backbone", "biases", 1 / math.Sqrt(48), 0},
		{"/artemis/res_image", "weights", 1 / math.Sqrt(40), 0},
		{"/artemis/res_hv", "weights", 1 / math.Sqrt(4), 0},
		{"/artemis/head", "W", 1 / math.Sqrt(E), 0},
		{"/artemis/head", "b", 1 / math.Sqrt(E), 0},
		{"/artemis/text/lstm_fwd", "weight_ih", 1 / math.Sqrt(32), 0},
		{"/artemis/text/lstm_bwd", "bias_hh", 1 / math.Sqrt(32), 0},
		{"/artemis/fusion_enc_0/self_attn/query", "weights", math.Sqrt(6 / (4 * E)), 0},
		{"/artemis/fusion_dec_0/cross_attn/out", "weights", math.Sqrt(6 / (2 * E)), 0},
		{"/artemis/fusion_dec_0/ff1", "weights", math.Sqrt(6 / (E + FF)), 0},
		{"/artemis/fusion_dec_0/ff2", "biases", 1 / math.Sqrt(FF), 0},
		{"/artemis/fusion_enc_0/self_attn/key", "biases", 0, 0},
		{"/artemis/fusion_enc_0/norm1", "weight", 0, 1},
		{"/artemis/fusion_dec_norm", "bias", 0, 0},
	}
	// nearBound: the largest |w| of a uniform draw of >= 30 values reaches
	// at least this fraction of the bound (P(fail) < 0.85^30 ≈ 0.8%, fixed seed).
	const nearBound = 0.85
	for _, c := range cases {
		v := ctx.InspectVariable(c.scope, c.name)
		if v == nil {
			t.Errorf("%s|%s: no such variable", c.scope, c.name)
			continue
		}
		vals := flat(v.MustValue())
		m := fixturetest.MaxAbs(vals)
		if c.bound == 0 {
			for _, x := range vals {
				if float64(x) != c.value {
					t.Errorf("%s|%s: %v, want all %g", c.scope, c.name, x, c.value)
					break
				}
			}
			continue
		}
		if m > c.bound || m < nearBound*c.bound {
			t.Errorf("%s|%s: max |w| = %.4g, want in [%.4g, %.4g] (PyTorch default bound)", c.scope, c.name, m, nearBound*c.bound, c.bound)
		}
	}
}

// TestFusionDepthFollowsFusion: EncLayers/DecLayers 0 mean the fusion's own
// depth, so switching Fusion alone never gives 1+6.
func TestFusionDepthFollowsFusion(t *testing.T) {
	c := CodeConfig(TextNone, Residuals{})
	c.EncLayers, c.DecLayers = 0, 0
	if e, d := c.layers(); e != 6 || d != 6 {
		t.Errorf("code fusion: %d+%d layers, want 6+6", e, d)
	}
	c.Fusion = FusionPaper
	if e, d := c.layers(); e != 1 || d != 0 {
		t.Errorf("paper fusion: %d+%d layers, want 1+0", e, d)
	}
}

// TestTimeSformerPooling: with Hugging Face's token order (CLS, then patch p
// of frame f at 1 + p*T + f), TokenPool "code" pools the flat sequence into
// contiguous bands, "paper" averages each frame's patches and pools frames.
// T = 2 frames, P = 2 patches, t = 2: tokens [cls, p0f0, p0f1, p1f0, p1f1].
func TestTimeSformerPooling(t *testing.T) {
	c := CodeConfig(TextNone, Residuals{})
	c.VideoLayout, c.NumFrames, c.Patches, c.Tokens = VideoTimeSformer, 2, 2, 2
	// Code: adaptive windows over 5 tokens into 2: [0,3) and [2,5).
	code := flat(c.poolMatrix())
	wantCode := []float32{1. / 3, 1. / 3, 1. / 3, 0, 0, 0, 0, 1. / 3, 1. / 3, 1. / 3}
	c.TokenPool = FormPaper
	paper := flat(c.poolMatrix())
	// Paper: time step 0 = mean of p0f0, p1f0; time step 1 = mean of p0f1, p1f1.
	wantPaper := []float32{0, .5, 0, .5, 0, 0, 0, .5, 0, .5}
	for i := range wantCode {
		if math.Abs(float64(code[i]-wantCode[i])) > helperTol || math.Abs(float64(paper[i]-wantPaper[i])) > helperTol {
			t.Fatalf("code %v (want %v), paper %v (want %v)", code, wantCode, paper, wantPaper)
		}
	}
}

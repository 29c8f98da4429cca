package artemis

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// tiny returns a small config for tests.
func tiny(text, fusion string, r Residuals) Config {
	c := CodeConfig(text, r)
	c.NumFrames, c.VideoDim, c.ImageDim, c.EmbedDim, c.NumClass, c.Tokens = 6, 10, 0, 8, 5, 4
	c.TextHidden, c.Heads, c.FFDim, c.Dropout = 4, 2, 16, 0
	c.Fusion, c.EncLayers, c.DecLayers = fusion, 1, 1
	return c
}

func randTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

func TestBuildShapes(t *testing.T) {
	backend := fixturetest.Backend(t)
	const batch = 3
	cases := []struct {
		text, fusion, align string
		r                   Residuals
		textOnly            bool
	}{
		{TextNone, FusionPaper, AlignNone, Residuals{}, false},
		{TextBiLSTM, FusionPaper, AlignNone, AllResiduals, false},
		{TextGRU, FusionPaper, AlignContrastive, Residuals{Hv: true, F: true}, false},
		{TextConv, FusionPaper, AlignCosine, Residuals{Seq: true, Backbone: true}, false},
		{TextConv, FusionCode, AlignCCA, AllResiduals, false},
		{TextBiLSTM, FusionCode, AlignCosine, Residuals{Hq: true}, true},
		{TextGRU, FusionPaper, AlignNone, AllResiduals, true},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s/%s/%s/%s/textonly=%v", tc.text, tc.fusion, tc.align, tc.r, tc.textOnly)
		t.Run(name, func(t *testing.T) {
			cfg := tiny(tc.text, tc.fusion, tc.r)
			cfg.Align, cfg.AlignWeight, cfg.TextOnly = tc.align, DefaultAlignWeight(tc.align), tc.textOnly
			if tc.fusion == FusionCode {
				cfg.CosineAxis = CosineClass
			}
			ctx := context.New()
			ctx.SetParam(context.ParamInitialSeed, int64(1))
			rng := rand.New(rand.NewSource(1))
			video := randTensor(rng, batch, cfg.NumFrames, cfg.VideoDim)
			image := randTensor(rng, batch, cfg.EmbedDim)
			desc := randTensor(rng, batch, cfg.EmbedDim)
			targets := tensors.FromFlatDataAndDimensions([]float32{1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0}, batch, cfg.NumClass)
			exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, v, im, d, y *Node) []*Node {
				if cfg.TextOnly {
					v, im = nil, nil
				}
				out := cfg.Build(ctx, v, im, d)
				loss, _, _ := cfg.Loss(ctx, out, y)
				return []*Node{out.Logits, out.Fb1, out.Fb2, loss}
			})
			res, err := exec.Exec(video, image, desc, targets)
			if err != nil {
				t.Fatal(err)
			}
			want := [][]int{{batch, cfg.NumClass}, {batch, cfg.Tokens, cfg.EmbedDim}, {batch, cfg.NumClass, cfg.EmbedDim}, {}}
			for i, w := range want {
				if got := res[i].Shape().Dimensions; fmt.Sprint(got) != fmt.Sprint(w) {
					t.Errorf("output %d: shape %v, want %v", i, got, w)
				}
			}
			if l := tensors.ToScalar[float32](res[3]); !(l > 0) || l != l {
				t.Errorf("loss %v, want a positive finite number", l)
			}
		})
	}
}

// TestLearns trains a tiny model for a few Adam steps on a batch whose labels
// are a function of the description, and checks that the loss falls: the
// gradients of every branch flow (a wrong gradient would not reduce it).
func TestLearns(t *testing.T) {
	backend := fixturetest.Backend(t)
	for _, text := range TextLayers {
		t.Run(text, func(t *testing.T) {
			cfg := tiny(text, FusionPaper, AllResiduals)
			cfg.Align, cfg.AlignWeight = AlignCosine, 0.1
			ctx := context.New()
			ctx.SetParam(context.ParamInitialSeed, int64(3))
			rng := rand.New(rand.NewSource(2))
			const batch = 8
			video := randTensor(rng, batch, cfg.NumFrames, cfg.VideoDim)
			image := randTensor(rng, batch, cfg.EmbedDim)
			desc := randTensor(rng, batch, cfg.EmbedDim)
			dv := desc.Value().([][]float32)
			y := make([]float32, batch*cfg.NumClass)
			for i := 0; i < batch; i++ {
				for k := 0; k < cfg.NumClass; k++ {
					if dv[i][k] > 0 {
						y[i*cfg.NumClass+k] = 1
					}
				}
			}
			targets := tensors.FromFlatDataAndDimensions(y, batch, cfg.NumClass)
			model := func(ctx *context.Context, spec any, in []*Node) []*Node {
				out := cfg.Build(ctx, in[0], in[1], in[2])
				return []*Node{out.Logits, out.Fb1, out.Fb2}
			}
			loss := func(labels, preds []*Node) *Node { return BCEWithLogits(preds[0], labels[0]) }
			tr := train.NewTrainer(backend, ctx, model, loss, optimizers.Adam().LearningRate(0.01).Done(), nil, nil)
			var first, last float32
			const steps = 40
			for s := 0; s < steps; s++ {
				m, err := tr.TrainStep(nil, []*tensors.Tensor{video, image, desc}, []*tensors.Tensor{targets})
				if err != nil {
					t.Fatal(err)
				}
				l := tensors.ToScalar[float32](m[0])
				if s == 0 {
					first = l
				}
				last = l
			}
			// learnFactor: after 40 Adam steps at lr 0.01 on 8 clips the
			// training loss must at least halve (observed: far more).
			const learnFactor = 0.5
			if !(last < learnFactor*first) {
				t.Errorf("loss %g -> %g after %d steps, want a drop below %g x", first, last, steps, learnFactor)
			}
		})
	}
}

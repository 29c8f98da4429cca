package animalmotionclip

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// gradSeed seeds the gradient checks' contexts (the model's own initialisers draw from it).
const gradSeed = 5

// smooth fills a tensor of the given dims with order-one values.
func smooth(phase, amp float64, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = amp * math.Sin(phase+0.71*float64(i))
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// gradConfig is a tiny classifier: 4×4 frames in 2×2 patches, D = 4, 2 heads.
func gradConfig(prompt int) Config {
	c := DefaultConfig(3, 3, 3, 2)
	c.ImageSize, c.Patch, c.Width, c.Heads, c.MLPRatio, c.PromptLayers = 4, 2, 4, 2, 2, prompt
	c.PromptAlpha = 0.5 // larger than X-CLIP's 0.1, so that the prompt layers' gradients are not tiny
	return c
}

// TestGradients checks, against float64 central differences on purego, the gradient of the
// loss (every classifier's BCE, Loss) and of the aggregated scores with respect to the frames, the text embeddings
// and every variable: patch embedding (with the convolutional stem and its max-pooling), two cross-frame blocks (X-CLIP's message
// tokens), the MIT, the text projection, the prompt generator and the matching.
func TestGradients(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	labels := tensors.FromValue([][]float64{{1, 0, 1}, {0, 1, 0}})
	cases := []struct {
		name string
		cfg  Config
		out  string
	}{
		{"loss, 2 frame blocks, prompts, conv stem", func() Config { c := gradConfig(1); c.Layers, c.Stem = 2, 3; return c }(), "loss"},
		{"scores, no prompts", gradConfig(0), "scores"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg
			gc := gradcheck.Case{
				Name: tc.name,
				Inputs: []*tensors.Tensor{smooth(0.3, 0.5, 2, c.Classifiers, c.Frames, c.ImageSize, c.ImageSize, c.Channels),
					smooth(1.1, 0.8, c.Classes, c.TextDim), labels},
				Build: func(ctx *context.Context, in []*Node) *Node {
					out := Forward(ctx, c, in[0], in[1])
					if tc.out == "loss" {
						return Reshape(Loss(out.Logits, in[2]), 1)
					}
					return Reshape(out.Scores, -1)
				},
				MaxCoords: 4,
				Seed:      gradSeed,
				Logf:      t.Logf,
			}
			res, err := gradcheck.Run(backend, gc, gradcheck.DefaultTolerance)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("checked %d coordinates of %d tensors, max error %.3g of tolerance, %d kinks skipped", res.Checked, len(res.Targets), res.MaxError, len(res.Kinks))
		})
	}
}

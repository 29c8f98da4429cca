package animalmotionclip

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// gradSeed seeds the gradient checks' contexts (the model's own initialisers draw from it).
const gradSeed = 5

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
	backend := fixturetest.Backend(t)
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
				Inputs: []*tensors.Tensor{fixturetest.Smooth(0.3, 0.5, 2, c.Classifiers, c.Frames, c.ImageSize, c.ImageSize, c.Channels),
					fixturetest.Smooth(1.1, 0.8, c.Classes, c.TextDim), labels},
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
			fixturetest.GradReport(t)(gradcheck.Run(backend, gc, gradcheck.DefaultTolerance))
		})
	}
}

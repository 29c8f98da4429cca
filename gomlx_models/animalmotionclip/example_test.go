package animalmotionclip_test

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/animalmotionclip"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gopjrt/dtypes"
)

// M = 4 classifiers, each reading P = 4 RGB frames interleaved with their 4 flow images
// (T = 8 frames of 32×32), scored against 140 class texts embedded at width 512; two videos.
// The parameter count, by hand at D = 64: patch embedding 13,632 (conv1 8·8·3·64+64, class
// token 64, positions 17·64, ln_pre 128); the cross-frame block 70,912 (message_fc 4,160,
// message_ln 128, message and frame attention 2·16,640, two LayerNorms 256, MLP 33,088); ln_post
// and proj 4,288; the MIT 50,496 (positions 512, a block 49,984); text_proj 32,832 (512·64+64);
// the prompt generator 54,464 (visual_ln, visual_proj, norm 4,416, a layer 49,984, α 64); τ and b 2.
func ExampleForward() {
	backend, err := purego.New(purego.Name)
	if err != nil {
		panic(err)
	}
	defer backend.Finalize()
	c := animalmotionclip.DefaultConfig(512, 140, 8, 4)
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, frames, text *Node) []*Node {
		out := animalmotionclip.Forward(ctx, c, frames, text)
		return []*Node{out.Logits, out.Scores}
	})
	frames := tensors.FromShape(shapes.Make(dtypes.Float32, 2, c.Classifiers, c.Frames, c.ImageSize, c.ImageSize, c.Channels))
	text := tensors.FromShape(shapes.Make(dtypes.Float32, c.Classes, c.TextDim))
	outs := exec.MustExec(frames, text)
	fmt.Println("logits", outs[0].Shape(), "scores", outs[1].Shape())
	fmt.Println("parameters", animalmotionclip.CountParams(ctx))
	// Output:
	// logits (Float32)[2 4 140] scores (Float32)[2 140]
	// parameters 226626
}

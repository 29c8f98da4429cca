package artemis_test

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/artemis"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// A tiny BEST1 configuration (R_Hv, R_b, F_r, conv) of the authors' code
// (DefaultConfig: nn.Transformer fusion, here 1+1 layers) with an image
// embedding F of width 10: the logits have one column per class, the branch
// outputs t and K tokens.
func ExampleConfig_Build() {
	cfg := artemis.DefaultConfig(artemis.TextConv, artemis.Residuals{Hv: true, Backbone: true, F: true})
	cfg.NumFrames, cfg.VideoDim, cfg.ImageDim, cfg.EmbedDim, cfg.NumClass, cfg.Tokens = 8, 12, 10, 16, 5, 4
	cfg.Heads, cfg.FFDim, cfg.EncLayers, cfg.DecLayers = 2, 32, 1, 1
	fmt.Println("residuals:", cfg.Residuals)

	backend, err := purego.New(purego.Name)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.New()
	exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, video, image, desc *Node) []*Node {
		out := cfg.Build(ctx, video, image, desc)
		return []*Node{out.Logits, out.Fb1, out.Fb2}
	})
	const batch = 3
	res, err := exec.Exec(
		tensors.FromFlatDataAndDimensions(make([]float32, batch*8*12), batch, 8, 12),
		tensors.FromFlatDataAndDimensions(make([]float32, batch*10), batch, 10),
		tensors.FromFlatDataAndDimensions(make([]float32, batch*16), batch, 16))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("logits:", res[0].Shape().Dimensions)
	fmt.Println("fb1 (H_v^final):", res[1].Shape().Dimensions)
	fmt.Println("fb2 (H_q^final):", res[2].Shape().Dimensions)
	// Output:
	// residuals: R_Hv,R_b,F_r
	// logits: [3 5]
	// fb1 (H_v^final): [3 4 16]
	// fb2 (H_q^final): [3 5 16]
}

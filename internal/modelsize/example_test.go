package modelsize_test

import (
	"fmt"

	model "github.com/actrepro/actrepro/gomlx_models/artemis"
	"github.com/actrepro/actrepro/internal/modelsize"
)

// BEST1 (conv; R_Hv, R_b, F_r) at the paper's widths: the parts of the
// authors' model and the total the paper rounds to 253 M.
func ExampleARTEMIS() {
	cfg := model.CodeConfig(model.TextConv, model.Residuals{Hv: true, Backbone: true, F: true})
	b, err := modelsize.ARTEMIS(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("TimeSformer-base:", b.TimeSformer)
	fmt.Println("CLIP ViT-B/16 vision:", b.CLIPVision)
	fmt.Println("nn.Transformer 6+6:", b.Fusion)
	fmt.Println("head (fusion included):", b.Head)
	fmt.Println("total:", b.Total())
	// Output:
	// TimeSformer-base: 121264896
	// CLIP ViT-B/16 vision: 85799424
	// nn.Transformer 6+6: 44140544
	// head (fusion included): 46384604
	// total: 253448924
}

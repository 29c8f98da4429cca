package layers_test

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/layers"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ARTEMIS's text layer keeps the CLIP width E with E/2 hidden units per direction.
func ExampleBiLSTMVector() {
	backend, err := purego.New("") // --backend flag, else $GOMLX_BACKEND, else purego
	if err != nil {
		fmt.Println(err)
		return
	}
	const batch, E = 2, 8
	s := tensors.FromFlatDataAndDimensions(make([]float32, batch*E), batch, E)
	out, err := context.ExecOnce(backend, context.New(), func(ctx *context.Context, s *Node) *Node {
		return layers.BiLSTMVector(ctx.In("text"), s, E/2)
	}, s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Shape())
	// Output: (Float32)[2 8]
}

package gradcheck_test

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// Checking a layer's gradients (inputs and variables) against float64 finite differences.
func ExampleRun() {
	backend, err := purego.New(purego.Name)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := gradcheck.Case{
		Name:   "dense+tanh",
		Inputs: []*tensors.Tensor{tensors.FromValue([][]float64{{0.1, -0.4, 0.7}, {0.3, 0.2, -0.5}})},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return Tanh(layers.Dense(ctx, x[0], true, 2))
		},
	}
	res, err := gradcheck.Run(backend, c, gradcheck.DefaultTolerance)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Targets, res.Checked)
	// Output: [input#0 /dense/biases /dense/weights] 14
}

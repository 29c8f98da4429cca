package purego_test

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// A backend from an explicit choice (a --backend flag or a spec field); "" falls back to
// $GOMLX_BACKEND, then to purego.
func ExampleNew() {
	backend, err := purego.New("purego")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The gradient of a max-pool needs SelectAndScatterMax, which purego supplies.
	grad, err := ExecOnce(backend, func(x *Node) *Node {
		pooled := MaxPool(x).Window(2).Done()
		return Gradient(ReduceAllSum(pooled), x)[0]
	}, [][][][]float32{{{{1}, {4}}, {{3}, {2}}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(backend, grad.Value())
	// Output: purego [[[[0] [1]] [[0] [0]]]]
}

func ExampleResolve() {
	fmt.Println(purego.Resolve("go:ops_sequential"))
	// Output: go:ops_sequential
}

package ensemble_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/ensemble"
)

// A GA with the authors' setting on a toy fitness whose best weights are
// known ((0.6, 0.3, 0.1): fitness 0 there, negative elsewhere). The values
// printed are this seeded run's; the test fails if the GA changes.
func ExampleGA() {
	target := []float64{0.6, 0.3, 0.1}
	fit := func(w []float64) float64 {
		var d float64
		for i, x := range ensemble.Normalize(w) {
			d += (x - target[i]) * (x - target[i])
		}
		return -d
	}
	res, err := ensemble.GA(ensemble.DefaultGA(), 3, fit)
	if err != nil {
		panic(err)
	}
	fmt.Printf("generations logged: %d, evaluations: %d\n", len(res.Log), res.Evaluations)
	fmt.Printf("initial best %.4f, final best %.4f\n", res.Log[0].Max, res.BestFitness)
	fmt.Printf("weights %.2f\n", res.Best)
	// Output:
	// generations logged: 11, evaluations: 100
	// initial best -0.0425, final best -0.0005
	// weights [0.59 0.29 0.12]
}

// Combining three members' logits with weights (normalised to sum 1).
func ExampleMembers_Combine() {
	ms := ensemble.Members{Logits: [][][]float32{
		{{1, -1}}, {{3, 0}}, {{-2, 2}},
	}}
	fmt.Println(ms.Combine([]float64{2, 1, 1}))
	// Output: [[0.75 0]]
}

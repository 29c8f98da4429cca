package lrcn_test

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/gomlx_models/purego"
)

// The paper's LRCN, built (not run) and summarised as Keras would.
func ExampleSummarize() {
	backend, err := purego.New(purego.Name)
	if err != nil {
		panic(err)
	}
	rows, total, err := lrcn.Summarize(backend, lrcn.DefaultConfig())
	if err != nil {
		panic(err)
	}
	fmt.Println(rows[len(rows)-2])
	fmt.Println(rows[len(rows)-1])
	fmt.Println("Total params:", total)
	// Output:
	// lstm (LSTM)	(None, 32)	12,416
	// dense_1 (Dense)	(None, 4)	132
	// Total params: 73060
}

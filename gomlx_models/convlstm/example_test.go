package convlstm_test

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/purego"
)

// The paper's ConvLSTM, built (not run) and summarised as Keras would.
func ExampleSummarize() {
	backend, err := purego.New(purego.Name)
	if err != nil {
		panic(err)
	}
	rows, total, err := convlstm.Summarize(backend, convlstm.DefaultConfig())
	if err != nil {
		panic(err)
	}
	fmt.Println(rows[0])
	fmt.Println(rows[len(rows)-1])
	fmt.Println("Total params:", total)
	// Output:
	// conv_lstm2d (ConvLSTM2D)	(None, 20, 62, 62, 4)	1,024
	// dense (Dense)	(None, 4)	11,524
	// Total params: 44524
}

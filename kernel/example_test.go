package kernel_test

import (
	"fmt"
	"os"

	"github.com/actrepro/actrepro/kernel"
	"github.com/actrepro/actrepro/plots"
)

// A notebook's first code cell: defaults, overridden by ACTREPRO_SCALE,
// ACTREPRO_BACKEND, ACTREPRO_DATA and ACTREPRO_SEED.
func ExampleParameters() {
	os.Setenv("ACTREPRO_SCALE", "full") // as a reviewer would, outside the notebook
	defer os.Unsetenv("ACTREPRO_SCALE")
	os.Unsetenv("ACTREPRO_BACKEND")
	os.Setenv("ACTREPRO_DATA", "")
	defer os.Unsetenv("ACTREPRO_DATA")
	os.Unsetenv("ACTREPRO_SEED")

	P := kernel.Must(kernel.Parameters(kernel.Params{Scale: "smoke", Backend: "purego", Seed: 1}))
	fmt.Println(P)
	// Output: scale=full backend=purego data=(none: synthetic twins only) seed=1
}

// Outside a notebook a table prints as Markdown; under GoNB it is HTML.
func ExampleTable_Show() {
	t := &kernel.Table{
		Title:     "Demo table",
		Banner:    "SYNTHETIC data: not a reproduction of the paper's numbers",
		Synthetic: true,
		Header:    []string{"model", "mAP (paper)", "mAP (measured)"},
		Rows:      [][]string{{"ARTEMIS", "76.97", "58.20"}},
	}
	t.Show()
	// Output:
	// ### Demo table
	//
	// > **SYNTHETIC data: not a reproduction of the paper's numbers**
	//
	// | model | mAP (paper) | mAP (measured) |
	// | --- | --- | --- |
	// | ARTEMIS | 76.97 | 58.20 |
}

// Figures show inline as SVG under GoNB; in a terminal a line names them.
func ExampleShowFigure() {
	f := kernel.Must(plots.Curves("loss", "epoch", "loss", []plots.Series{{Name: "train", Y: []float64{1, 0.5, 0.3}}}))
	if err := kernel.ShowFigure(f); err != nil {
		fmt.Println(err)
	}
	// Output is "[figure "loss": N bytes of SVG; save it with kernel.SaveFigure]".
}

// A long loop reports progress: a live block in a notebook, a few lines in
// a terminal.
func ExampleNewProgress() {
	p := kernel.NewProgress("demo")
	p.Start("train", 3)
	for epoch := 1; epoch <= 3; epoch++ {
		p.Step(epoch, map[string]float64{"loss": 1 / float64(epoch)})
	}
	p.Finish()
	// Output:
	// train: start (3 steps)
	// train: 1/3 loss=1
	// train: 2/3 loss=0.5
	// train: 3/3 loss=0.3333
	// train: done loss=0.3333
}

// The calls of a paper notebook (compiled, not run here: they train).
func ExampleRun() {
	P := kernel.Must(kernel.Parameters(kernel.Params{Scale: "smoke"}))
	res := kernel.Must(kernel.Run("experiments/demo/quickstart.toml", kernel.With(P)))
	res.Show() // summary line, then each table: paper | measured | Δ, under the data-source banner
}

// A later cell reads what Run wrote, without training.
func ExampleLoad() {
	res := kernel.Must(kernel.Load("experiments/demo/quickstart.toml", kernel.Scale("smoke")))
	fig := kernel.Must(res.Curves("train_loss", "val_loss"))
	kernel.Check(kernel.ShowFigure(fig))
	paths := kernel.Must(res.SaveFigure(fig, "loss_curves"))
	fmt.Println(paths)
}

// Grouped bars of a paper table: reported beside measured, row by row.
func ExampleResult_PaperVsMeasured() {
	res := kernel.Must(kernel.Load("experiments/ucf50/table1.toml"))
	bars := kernel.Must(res.PaperVsMeasured(0))
	kernel.Check(kernel.ShowFigure(bars))
}

// The environment cell and the catalogue of experiments.
func ExampleAbout() {
	P := kernel.Must(kernel.Parameters(kernel.Params{}))
	kernel.About(P)
	kernel.Check(kernel.ShowExperiments())
	kernel.Check(kernel.ShowSpec("experiments/demo/quickstart.toml"))
}

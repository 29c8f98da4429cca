package plots_test

import (
	"fmt"
	"log"
	"math"

	"github.com/actrepro/actrepro/plots"
)

// Paper values beside means over three seeds with their 95% t-intervals
// (table.Cell.Measured and Half).
func ExamplePaperVsMeasured_errorBars() {
	rows := []plots.BarRow{
		{Label: "ARTEMIS", Paper: 76.97, Measured: 66.64, Half: 4.83, N: 3},
		{Label: "BEST1", Paper: 77.33, Measured: 62.20, Half: 6.51, N: 3},
		{Label: "BEST2", Paper: 77.19, Measured: math.NaN()},
	}
	f, err := plots.PaperVsMeasured("Table 3 over seeds (example data)", "mAP (%)", rows, plots.BarsOptions{MeasuredName: "measured (synthetic, smoke; mean of 3 seeds)"})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/bars_seeds.png"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved testdata/bars_seeds.png")
	// Output: saved testdata/bars_seeds.png
}

// Validation loss of three seeds, one stopped early: mean and min–max band.
func ExampleCurvesOverSeeds() {
	f, err := plots.CurvesOverSeeds("Curves over seeds (example data)", "epoch", "loss", []plots.SeedSeries{
		{Name: "train loss", Runs: [][]float64{
			{1.2, 0.9, 0.7, 0.6, 0.55, 0.52},
			{1.3, 1.0, 0.75, 0.62, 0.57, 0.50},
			{1.1, 0.85, 0.72, 0.58, 0.5},
		}},
		{Name: "val loss", Runs: [][]float64{
			{1.3, 1.0, 0.85, 0.8, 0.79, 0.81},
			{1.4, 1.1, 0.9, 0.82, 0.83, 0.86},
			{1.25, 0.95, 0.8, 0.78, 0.8},
		}},
	}, plots.BandMinMax)
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/curves_seeds.png"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved testdata/curves_seeds.png")
	// Output: saved testdata/curves_seeds.png
}

package plots_test

import (
	"fmt"
	"log"
	"math"

	"github.com/actrepro/actrepro/plots"
)

// The data below is made up for the examples (and the golden images); it is
// not a result of any paper.

func ExampleBoxPlot() {
	groups := []string{"none", "biLSTM", "GRU", "Conv"}
	f, err := plots.BoxPlot("mAP by text-processing layer (example data)", "text processing", "mAP (%)", groups,
		[]plots.BoxSeries{
			{Name: "paper (reported)", Values: [][]float64{{75.98, 73.96, 74.35, 76.04}, {75.81, 75.90, 76.01, 76.08}, {75.84, 74.85, 75.22, 75.89}, {76.22, 74.71, 75.20, 76.50}}},
			{Name: "measured (synthetic)", Values: [][]float64{{61, 62.5, 60.2}, {64, 63.1, 65.2}, {62, 61.7, 63.3}, {65.5, 64.9, 66.1}}},
		})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/boxplot.png"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved testdata/boxplot.png")
	// Output: saved testdata/boxplot.png
}

func ExamplePaperVsMeasured() {
	rows := []plots.BarRow{
		{Label: "ARTEMIS", Paper: 76.97, Measured: 58.2},
		{Label: "BEST1", Paper: 77.33, Measured: 59.0},
		{Label: "BEST2", Paper: 77.03, Measured: math.NaN()},
	}
	f, err := plots.PaperVsMeasured("Table 1 (example data)", "mAP (%)", rows, plots.BarsOptions{MeasuredName: "measured (synthetic, smoke)"})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/bars.png"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved testdata/bars.png")
	// Output: saved testdata/bars.png
}

func ExampleCurves() {
	f, err := plots.Curves("Training curves (example data)", "epoch", "loss", []plots.Series{
		{Name: "train loss", Y: []float64{1.2, 0.9, 0.7, 0.6, 0.55, 0.52}},
		{Name: "val loss", Y: []float64{1.3, 1.0, 0.85, 0.8, 0.79, 0.81}},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/curves.png"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved testdata/curves.png")
	// Output: saved testdata/curves.png
}

func ExamplePrecisionRecall() {
	scores := []float64{0.9, 0.8, 0.8, 0.6, 0.4, 0.3, 0.2}
	labels := []bool{true, true, false, true, false, false, true}
	r, p, err := plots.PRPoints(scores, labels)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("recall %.2f\nprecision %.2f\n", r, p)
	f, err := plots.PrecisionRecall("Precision-recall (example data)", []plots.PRCurve{{Name: "class 0", Recall: r, Precision: p}})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/pr.png"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// recall [0.25 0.50 0.75 0.75 0.75 1.00]
	// precision [1.00 0.67 0.75 0.60 0.50 0.57]
}

func ExampleConfusion() {
	classes := []string{"walk", "run", "jump"}
	m := [][]float64{{8, 1, 1}, {2, 6, 2}, {0, 1, 9}}
	f, err := plots.Confusion("Confusion (example data)", classes, m, true)
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/confusion.png"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved testdata/confusion.png")
	// Output: saved testdata/confusion.png
}

func ExampleTimeline() {
	f, err := plots.Timeline("Video 1 (example data)", 60, []plots.TimelineRow{
		{Name: "ground truth", Segments: []plots.Segment{{Class: "CliffDiving", Start: 5, End: 12}, {Class: "Diving", Start: 30, End: 41}}},
		{Name: "predicted", Segments: []plots.Segment{{Class: "CliffDiving", Start: 6, End: 13.5}, {Class: "Diving", Start: 28, End: 40}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("testdata/timeline.png"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved testdata/timeline.png")
	// Output: saved testdata/timeline.png
}

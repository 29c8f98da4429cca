package stats_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/stats"
)

// Two models scored on the same eight seeds. The printed values equal
// SciPy 1.10.1's ttest_rel(a, b) and wilcoxon(a, b).
func Example() {
	a := []float64{77.3, 76.9, 78.1, 77.8, 76.5, 77.9, 78.4, 77.0}
	b := []float64{76.8, 77.1, 77.2, 77.0, 76.1, 77.5, 77.6, 76.9}
	tt, _ := stats.PairedTTest(a, b)
	w, _ := stats.Wilcoxon(a, b)
	fmt.Printf("t-test:   t=%.4f df=%d p=%.4f\n", tt.T, tt.DF, tt.P)
	fmt.Printf("Wilcoxon: T=%g p=%.4f (%s)\n", w.Statistic, w.P, w.Method)
	// Output:
	// t-test:   t=3.4632 df=7 p=0.0105
	// Wilcoxon: T=2 p=0.0234 (exact)
}

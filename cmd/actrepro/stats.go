package main

import (
	"fmt"
	"io"

	"github.com/actrepro/actrepro/internal/stats"
)

func init() {
	commands["stats"] = command{
		summary: "paired significance tests: stats paired --a A.csv --b B.csv",
		run:     runStats,
	}
}

const statsUsage = `Usage: actrepro stats paired --a A.csv --b B.csv

  paired  paired t-test and Wilcoxon signed-rank test (two-sided), equal to
          SciPy 1.10's ttest_rel and wilcoxon with default arguments
`

func runStats(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, statsUsage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, statsUsage)
		return 0
	case "paired":
		return statsPaired(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "actrepro stats: unknown test %q (want paired)\n", args[0])
	return 2
}

func statsPaired(args []string, stdout, stderr io.Writer) int {
	const name = "actrepro stats paired"
	fs := evFlags(name, `Paired t-test and Wilcoxon signed-rank test of two paired samples (e.g. the
per-seed or per-class scores of two models). A.csv and B.csv hold one number
per row, in the same order (an optional header row; '#' lines are comments).

Both p-values are two-sided and equal SciPy 1.10's ttest_rel(a, b) and
wilcoxon(a, b) with default arguments (zero_method="wilcox", correction=False,
method="auto"). Wilcoxon is exact when n <= 50 and no difference is zero
(SciPy 1.10 stays exact even with tied |a-b|, truncating the rank sum to an
integer); otherwise it drops zero differences and uses the normal
approximation with the tie correction. "method" in the output says which.
Identical samples (every difference zero) are an error, as in SciPy.`, stdout, stderr)
	aPath := fs.String("a", "", "first sample CSV (`A.csv`), required")
	bPath := fs.String("b", "", "second sample CSV (`B.csv`), required")
	out := fs.String("out", "", "write the JSON to `FILE` (atomically) instead of stdout")
	if code, done := evParseFlags(fs, args, stdout); done {
		return code
	}
	am, err := evReadMatrix(*aPath, "a")
	if err != nil {
		return evFail(stderr, name, err)
	}
	bm, err := evReadMatrix(*bPath, "b")
	if err != nil {
		return evFail(stderr, name, err)
	}
	a, err := am.Column()
	if err != nil {
		return evFail(stderr, name, err)
	}
	b, err := bm.Column()
	if err != nil {
		return evFail(stderr, name, err)
	}
	if len(a) != len(b) {
		return evFail(stderr, name, fmt.Errorf("%s has %d values but %s has %d: samples must be paired", am.Name, len(a), bm.Name, len(b)))
	}
	tt, err := stats.PairedTTest(a, b)
	if err != nil {
		return evFail(stderr, name, err)
	}
	w, err := stats.Wilcoxon(a, b)
	if err != nil {
		return evFail(stderr, name, err)
	}
	var meanDiff float64
	for i := range a {
		meanDiff += a[i] - b[i]
	}
	meanDiff /= float64(len(a))
	report := map[string]any{
		"n":         len(a),
		"mean_diff": meanDiff,
		"ttest":     map[string]any{"t": evNum(tt.T), "df": tt.DF, "p": evNum(tt.P)},
		"wilcoxon": map[string]any{"statistic": w.Statistic, "p": w.P, "method": w.Method,
			"n_used": w.N, "zeros": w.Zeros, "ties": w.Ties},
		"reference": "scipy 1.10 ttest_rel / wilcoxon, default arguments, two-sided",
	}
	if w.Method == "approx" {
		report["wilcoxon"].(map[string]any)["z"] = w.Z
	}
	if err := evWriteJSON(report, *out, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/stats"
)

func init() {
	commands["stats"] = command{
		summary: "paired significance tests: stats paired --a A.csv --b B.csv",
		run:     runStats,
	}
}

const statsUsage = `Usage: actrepro stats paired --a A.csv --b B.csv
       actrepro stats paired --spec SPEC --a-row SEL --b-row SEL [--metric M] [--scale S] [--results DIR]

  paired  paired t-test and Wilcoxon signed-rank test (two-sided), equal to
          SciPy 1.10's ttest_rel and wilcoxon with default arguments; of two
          CSV samples paired by row, or of two rows of a spec's table paired
          by seed (their runs at the same train.seed, e.g. after --seeds 5)
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
Identical samples (every difference zero) are an error, as in SciPy.

With --spec instead of --a/--b, the samples are two rows of the spec's
current records (current settings and code, every seed measured, as the
tables show them) in the results directory, paired by seed: the runs of
--a-row and --b-row at the same train.seed. Run the spec with --seeds 3 or
more first. The JSON then says "pairing": "seed" and lists the seeds.`, stdout, stderr)
	aPath := fs.String("a", "", "first sample CSV (`A.csv`), required without --spec")
	bPath := fs.String("b", "", "second sample CSV (`B.csv`), required without --spec")
	out := fs.String("out", "", "write the JSON to `FILE` (atomically) instead of stdout")
	specPath := fs.String("spec", "", "pair by seed the runs of two rows of `SPEC`'s records (instead of --a/--b)")
	aRow := fs.String("a-row", "", "with --spec: the first row, as axis=value pairs (`SEL`, e.g. preset=best1,align=none)")
	bRow := fs.String("b-row", "", "with --spec: the second row (`SEL`)")
	metric := fs.String("metric", "", "with --spec: the metric compared (`M`, a key of the records' metrics), required")
	scale := fs.String("scale", "smoke", "with --spec: the scale of the records")
	resultsDir := fs.String("results", "results", "with --spec: the results directory (`DIR`, run's --out)")
	if code, done := evParseFlags(fs, args, stdout); done {
		return code
	}
	if *specPath != "" {
		if *aPath != "" || *bPath != "" {
			return evFail(stderr, name, fmt.Errorf("--spec pairs records by seed; --a and --b are for CSV samples (use --a-row and --b-row)"))
		}
		a, b, seeds, err := pairBySeed(*specPath, *scale, *resultsDir, *aRow, *bRow, *metric)
		if err != nil {
			return evFail(stderr, name, err)
		}
		return pairedReport(a, b, map[string]any{"pairing": "seed", "seeds": seeds, "a_row": *aRow, "b_row": *bRow, "metric": *metric,
			"spec": *specPath, "scale": *scale}, *out, stdout, stderr)
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
	return pairedReport(a, b, map[string]any{"pairing": "row"}, *out, stdout, stderr)
}

// pairedReport runs both tests on paired samples and writes the JSON
// report, with the entries of extra added.
func pairedReport(a, b []float64, extra map[string]any, out string, stdout, stderr io.Writer) int {
	const name = "actrepro stats paired"
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
	for k, v := range extra {
		report[k] = v
	}
	if err := evWriteJSON(report, out, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return 0
}

// pairBySeed reads the current records of the spec at scale (current code
// and settings, every seed measured; harness.Current), picks the runs of
// rows aSel and bSel and pairs them by seed. A selector names axis values,
// "preset=best1,align=none" (short or full axis names); it must pick one
// run per seed. Seeds run for one row only are left out.
func pairBySeed(specPath, scale, root, aSel, bSel, metric string) (a, b []float64, seeds []int64, err error) {
	if aSel == "" || bSel == "" || metric == "" {
		return nil, nil, nil, fmt.Errorf("--spec needs --a-row, --b-row and --metric")
	}
	s, _, points, err := harness.Prepare(specPath, scale)
	if err != nil {
		return nil, nil, nil, err
	}
	dir := results.Dir(root, s.Experiment.ID, scale)
	all, err := results.Load(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	recs, skipped := harness.Current(s, scale, points, all)
	hint := ""
	if n := skipped.Notes(); len(n) > 0 {
		hint = " (" + strings.Join(n, " ") + ")"
	}
	pick := func(sel, flagName string) (map[int64]float64, error) {
		want := map[string]any{}
		for _, kv := range strings.Split(sel, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok {
				return nil, fmt.Errorf("--%s %q: want axis=value pairs separated by commas", flagName, sel)
			}
			ax, found := "", false
			for _, a := range s.Axes {
				if a.Name == k || a.Short == k {
					ax, found = a.Name, true
				}
			}
			if !found {
				var names []string
				for _, a := range s.Axes {
					names = append(names, a.Short)
				}
				return nil, fmt.Errorf("--%s: %q is not a sweep axis of %s (axes: %s)", flagName, k, specPath, strings.Join(names, ", "))
			}
			want[ax] = selectorValue(v)
		}
		by := map[int64]float64{}
		for _, r := range recs {
			match := true
			for ax, v := range want {
				if !spec.Equal(r.Axes[ax], v) {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			x, ok := r.Metrics[metric]
			if !ok {
				return nil, fmt.Errorf("record %s has no metric %q", r.Hash, metric)
			}
			if _, dup := by[r.Seed]; dup {
				return nil, fmt.Errorf("--%s %q picks several runs at seed %d: name more axes", flagName, sel, r.Seed)
			}
			by[r.Seed] = x
		}
		if len(by) == 0 {
			return nil, fmt.Errorf("--%s %q picks no current run in %s%s", flagName, sel, dir, hint)
		}
		return by, nil
	}
	am, err := pick(aSel, "a-row")
	if err != nil {
		return nil, nil, nil, err
	}
	bm, err := pick(bSel, "b-row")
	if err != nil {
		return nil, nil, nil, err
	}
	for seed := range am {
		if _, ok := bm[seed]; ok {
			seeds = append(seeds, seed)
		}
	}
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	if len(seeds) < 2 {
		return nil, nil, nil, fmt.Errorf("%d seed(s) have runs of both rows; a paired test needs at least 2 (run the spec with --seeds 3 or more)", len(seeds))
	}
	for _, seed := range seeds {
		a = append(a, am[seed])
		b = append(b, bm[seed])
	}
	return a, b, seeds, nil
}

// selectorValue reads a selector's value as an integer, a float, a bool
// or else a string.
func selectorValue(v string) any {
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f
	}
	if bv, err := strconv.ParseBool(v); err == nil {
		return bv
	}
	return v
}

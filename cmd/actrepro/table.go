package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
)

func init() {
	commands["table"] = command{summary: "render a table (paper vs measured) from result records", run: runTable}
}

const tableUsage = `
Usage: actrepro table RESULTS [--format md|csv|tex] [--spec SPEC]

Renders the tables of the experiment whose records are under RESULTS (a
directory such as results/<experiment-id>/<scale>, or results/<experiment-id>
for every scale): the paper's value, the measured value (mean ± sd over
runs sharing a row), their difference, and a banner stating the data
source, so synthetic results are never mistaken for a reproduction. The
paper's values and the table layout come from the spec named in the records
(or --spec). Every value is read from a record, so the banner says
"cached from <commit>" (and "from a dirty tree" or "commit not in
repository" where that applies). Records that are not of the current
points are left out and counted: those of another code version (the
task's, model's or trainer's code changed since; run the spec again) and
those of settings the spec no longer has.`

func runTable(args []string, stdout, stderr io.Writer) int {
	f := newFlags("table", tableUsage, stdout, stderr)
	format := f.String("format", "md", "output format: md, csv or tex")
	specPath := f.String("spec", "", "spec file (default: the one recorded in the records)")
	outFile := f.String("out", "", "write to this file (atomically) instead of stdout")
	pos, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "actrepro table: want exactly one RESULTS directory (see actrepro table --help)")
		return 2
	}
	if *format != "md" && *format != "csv" && *format != "tex" {
		fmt.Fprintf(stderr, "actrepro table: unknown format %q (want md, csv or tex)\n", *format)
		return 2
	}
	var buf bytes.Buffer
	w := io.Writer(&buf)
	if code := renderTables(pos[0], *specPath, *format, w, stderr); code != 0 {
		return code
	}
	if *outFile == "" {
		stdout.Write(buf.Bytes())
		return 0
	}
	if err := results.WriteFileAtomic(*outFile, buf.Bytes()); err != nil {
		fmt.Fprintln(stderr, "actrepro table:", err)
		return 1
	}
	return 0
}

// renderTables writes the tables of the records under dir to w.
func renderTables(dir, specFlag, format string, w, stderr io.Writer) int {
	recs, err := results.Load(dir)
	if err != nil {
		fmt.Fprintln(stderr, "actrepro table:", err)
		return 2
	}
	if len(recs) == 0 {
		fmt.Fprintf(stderr, "actrepro table: no result records under %s\n", dir)
		return 2
	}
	// One table set per experiment and scale, with the spec of its first record.
	type group struct{ exp, scale string }
	specOf := map[group]string{}
	var groups []group
	for _, r := range recs {
		g := group{r.Experiment, r.Scale}
		if _, ok := specOf[g]; !ok {
			specOf[g] = r.Spec
			if specFlag != "" {
				specOf[g] = specFlag
			}
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].exp != groups[j].exp {
			return groups[i].exp < groups[j].exp
		}
		return groups[i].scale < groups[j].scale
	})
	exps := map[string]bool{}
	for _, g := range groups {
		exps[g.exp] = true
	}
	if len(exps) > 1 && specFlag != "" {
		fmt.Fprintf(stderr, "actrepro table: %s holds records of %d experiments; --spec fits only one\n", dir, len(exps))
		return 2
	}
	for i, g := range groups {
		specPath := specOf[g]
		if _, err := os.Stat(specPath); err != nil {
			fmt.Fprintf(stderr, "actrepro table: the records of %s name the spec %q, which is not here (%v); pass --spec\n", g.exp, specPath, err)
			return 2
		}
		var sub []results.Record
		for _, r := range recs {
			if r.Experiment == g.exp && r.Scale == g.scale {
				sub = append(sub, r)
			}
		}
		tbs, skipped, err := harness.TablesFrom(specPath, g.scale, sub)
		if err != nil {
			fmt.Fprintln(stderr, "actrepro table:", err)
			return 2
		}
		for j, t := range tbs {
			if (i > 0 || j > 0) && format != "csv" {
				fmt.Fprintln(w)
			}
			if err := t.Write(w, format); err != nil {
				fmt.Fprintln(stderr, "actrepro table:", err)
				return 1
			}
		}
		for _, n := range skipped.Notes() {
			fmt.Fprintf(stderr, "actrepro table: %s/%s: %s\n", g.exp, g.scale, n)
		}
		if n := staleNote(specPath, dir, g.exp, g.scale, sub); n != "" {
			fmt.Fprintf(stderr, "actrepro table: %s/%s: %s\n", g.exp, g.scale, n)
		}
	}
	return 0
}

// staleNote is harness.StaleNote for the records recs of experiment exp at
// scale read from dir (a results root, or its <exp> or <exp>/<scale>
// folder): it says when a derived table shows records computed from
// upstream records other than the current ones.
func staleNote(specPath, dir, exp, scale string, recs []results.Record) string {
	root := ""
	for _, cand := range []string{dir, filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		if st, err := os.Stat(results.Dir(cand, exp, scale)); err == nil && st.IsDir() {
			root = cand
			break
		}
	}
	if root == "" {
		return ""
	}
	s, task, points, err := harness.Prepare(specPath, scale)
	if err != nil || task == nil {
		return ""
	}
	shown, _ := harness.Current(s, scale, points, recs) // the records the tables show
	return harness.StaleNote(s, task, root, scale, shown)
}

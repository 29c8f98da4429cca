package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/report"
	"github.com/actrepro/actrepro/internal/results"
)

func init() {
	commands["report"] = command{summary: "write results/index.html: every table and figure on one page", run: runReport}
}

const reportUsage = `
Usage: actrepro report [--root DIR] [--out DIR]

Writes one page showing everything the checkout has reproduced:
OUT/index.html (self-contained: inline CSS and SVG, no script, no network)
and OUT/index.md (its Markdown twin). For every spec under ROOT/experiments,
grouped by paper: each table at each scale that has records (paper value,
measured value, their difference, and the data-source banner: SYNTHETIC
results say so wherever they are shown), the figures under
OUT/<experiment>/<scale>/figures and ROOT/plots/<experiment>, links to the
spec, its notebooks (and their executed copies under OUT/notebooks) and the
records, and the provenance. The page is made from the files on disk only:
the same files give the same bytes. make reproduce and make notebooks run it.
Exit code: 0 written, 1 a write failed, 2 bad flags or an unreadable checkout.`

func runReport(args []string, stdout, stderr io.Writer) int {
	f := newFlags("report", reportUsage, stdout, stderr)
	root := f.String("root", ".", "the checkout (experiments/, plots/, notebooks/)")
	out := f.String("out", "", "results directory, where the page is written (default ROOT/results)")
	pos, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "actrepro report: unexpected argument %q\n", pos[0])
		return 2
	}
	o := report.Options{Root: *root, Results: *out}
	if o.Results == "" {
		o.Results = filepath.Join(*root, "results")
	}
	o.Commit, o.Dirty = results.GitCommit(*root)
	p, err := report.Collect(o)
	if err != nil {
		fmt.Fprintln(stderr, "actrepro report:", err)
		return 2
	}
	paths, err := report.WritePage(p)
	if err != nil {
		fmt.Fprintln(stderr, "actrepro report:", err)
		return 1
	}
	for _, pr := range p.Problems {
		fmt.Fprintln(stderr, "actrepro report: problem:", pr)
	}
	for _, path := range paths {
		fmt.Fprintln(stdout, "report ->", path)
	}
	return 0
}

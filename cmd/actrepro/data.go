package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
)

func init() {
	commands["data"] = command{summary: "check the data files under a data root (data check)", run: runData}
}

const dataUsage = `
Usage: actrepro data check [--data-root DIR] [--dataset NAME[,NAME...]]

Reads every known file under the data root (Animal Kingdom, BaboonLand,
THUMOS14, ActivityNet, UCF101, UCF50) with its reader. Each dataset is:

  absent  no folder for it under the data root: not an error (a data root
          may hold only some datasets); the line says where to get it
  ok      its folder is present and every file in it reads, and matches
          the root's SHA256SUMS when there is one
  broken  its folder is present but a file is missing, malformed (the
          error names the file and line) or differs from SHA256SUMS

One line per dataset and one per problem go to stderr; the full report
(files, fingerprints, counts) is printed as JSON on stdout.
--dataset checks only the named datasets and fails when one is absent.

Exit code: 0 every present dataset is ok, 1 a present (or required)
dataset is broken or absent, 2 bad usage, no data root, or a data root
that holds none of the datasets.`

func runData(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("data", dataUsage, stdout, stderr)
	root := fs.String("data-root", "", "root of the data files (default $"+data.EnvDataRoot+")")
	only := fs.String("dataset", "", "check only these datasets (comma-separated: "+strings.Join(data.CheckedDatasets(), ", ")+"), each required")
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || pos[0] != "check" {
		fmt.Fprintln(stderr, "actrepro data: want the subcommand \"check\"")
		fs.Usage()
		return 2
	}
	r := data.DataRoot(*root)
	if r == "" {
		fmt.Fprintf(stderr, "actrepro data check: no data root: pass --data-root DIR or set $%s (see README, section Data)\n", data.EnvDataRoot)
		return 2
	}
	var opts data.CheckOptions
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			opts.Datasets = append(opts.Datasets, n)
		}
	}
	rep, err := data.CheckWith(r, opts)
	if err != nil {
		fmt.Fprintf(stderr, "actrepro data check: %v\n", err)
		return 2
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "actrepro data check: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(b))
	for _, d := range rep.Datasets {
		fmt.Fprintf(stderr, "actrepro data check: %-14s %s\n", d.Dataset, datasetLine(d))
	}
	if c := rep.Checksums; c != nil {
		fmt.Fprintf(stderr, "actrepro data check: %-14s %d listed, %d verified, %d skipped (absent datasets), %d failed\n", c.File, c.Listed, c.Verified, c.Skipped, c.Failed)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stderr, "actrepro data check:", p)
	}
	if len(rep.Present()) == 0 && len(opts.Datasets) == 0 {
		fmt.Fprintf(stderr, "actrepro data check: %s holds none of the datasets (%s): is it the right --data-root?\n", r, strings.Join(data.CheckedDatasets(), ", "))
		return 2
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

// datasetLine is the one-line summary of a dataset's check.
func datasetLine(d data.DatasetCheck) string {
	switch d.Status {
	case data.DatasetAbsent:
		return "absent: " + d.Hint
	case data.DatasetBroken:
		return fmt.Sprintf("BROKEN: %d problem(s) below", len(d.Problems))
	}
	n := 0
	for _, f := range d.Files {
		if f.Status == data.StatusOK {
			n++
		}
	}
	s := fmt.Sprintf("ok: %d file(s) read", n)
	if d.Synthetic {
		s += " (SYNTHETIC twin)"
	}
	return s
}

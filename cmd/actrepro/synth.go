package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
)

func init() {
	commands["synth"] = command{summary: "write a seeded synthetic twin of a dataset in its real file format", run: runSynth}
}

const synthUsage = `
Usage: actrepro synth DATASET --out DIR [--seed N] [--scale smoke|full] [--difficulty D] [--data-root DIR]
       actrepro synth --list

Writes a synthetic twin of DATASET under DIR/<dataset>/ in the real dataset's
file format (so DIR can be used as a --data-root), with the real dataset's
shape and a planted, learnable signal. The same seed writes the same bytes.
Every twin carries SYNTHETIC.txt saying it is not real data, and its
files' SHA-256 sums are recorded in DIR/SHA256SUMS (other datasets'
entries are kept), which data check verifies. With
--data-root, statistics (never content) of the real files are imitated.`

func runSynth(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("synth", synthUsage, stdout, stderr)
	out := fs.String("out", "", "output directory (required)")
	seed := fs.Int64("seed", 1, "random seed")
	scale := fs.String("scale", data.ScaleSmoke, "smoke (seconds) or full (the real dataset's size)")
	difficulty := fs.Float64("difficulty", 0.5, "difficulty of the planted signal, 0 (easy) to 1 (hard)")
	root := fs.String("data-root", "", "real data root to take statistics from (default $"+data.EnvDataRoot+"; may be absent)")
	list := fs.Bool("list", false, "list the datasets that have a twin")
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if *list {
		fmt.Fprintln(stdout, strings.Join(data.SynthNames(), "\n"))
		return 0
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "actrepro synth: want one DATASET (one of %s)\n", strings.Join(data.SynthNames(), ", "))
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "actrepro synth: --out DIR is required")
		return 2
	}
	gen, err := data.LookupSynth(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "actrepro synth: %v\n", err)
		return 2
	}
	o := data.SynthOptions{Seed: *seed, Scale: *scale, Difficulty: *difficulty, DataRoot: data.DataRoot(*root)}
	if err := o.Validate(); err != nil {
		fmt.Fprintf(stderr, "actrepro synth: %v\n", err)
		return 2
	}
	msg, err := gen(*out, o)
	if err != nil {
		fmt.Fprintf(stderr, "actrepro synth %s: %v\n", pos[0], err)
		return 1
	}
	// SHA256SUMS lets `data check` tell a truncated twin file from a sound one.
	if err := data.WriteSums(*out, pos[0]); err != nil {
		fmt.Fprintf(stderr, "actrepro synth %s: %v\n", pos[0], err)
		return 1
	}
	fmt.Fprintf(stdout, "%s (seed %d, scale %s) -> %s\n", msg, *seed, *scale, *out)
	return 0
}

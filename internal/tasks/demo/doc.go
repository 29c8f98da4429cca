// Package demo is the teaching task: a tiny GoMLX classifier (multinomial
// logistic regression, or a one-hidden-layer MLP) trained on a seeded
// synthetic "planted signal" dataset, in seconds. It registers the runner
// task "demo" used by experiments/demo/quickstart.toml and the teaching
// notebook, and shows the whole path a paper's table takes (spec, sweep,
// training on the resolved backend, per-epoch curves, records, table)
// without any paper's cost.
//
// The data are synthetic by construction, so every number it produces is
// labelled synthetic; there is no paper to reproduce.
package demo

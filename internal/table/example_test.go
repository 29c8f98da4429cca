package table_test

import (
	"os"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/table"
)

func ExampleBuild() {
	s, err := spec.Parse("toy.toml", []byte(`
[experiment]
id = "toy"
paper = "Toy"
table = "Table 2"
title = "two models"
task = "demo"
[data]
dataset = "toy"
source = "synthetic"
[scale.smoke]
[scale.full]
[sweep]
model.name = ["a", "b"]
[table]
columns = [{ label = "acc", paper = "acc", measured = "accuracy", factor = 100, digits = 1 }]
[paper]
source = "toy paper, Table 2"
rows = [{ name = "a", acc = 80.0 }, { name = "b", acc = 85.0 }]
`))
	if err != nil {
		panic(err)
	}
	recs := []results.Record{{
		Experiment: "toy", Scale: "smoke", Axes: map[string]any{"model.name": "a"},
		Config:     map[string]any{"data": map[string]any{"dataset": "toy"}},
		DataSource: "synthetic", Backend: "purego", Commit: "abc123",
		Metrics: map[string]float64{"accuracy": 0.612},
	}}
	table.Build(s, s.Tables[0], recs, "smoke", nil).Markdown(os.Stdout)
	// Output:
	// ## Toy Table 2: two models (scale: smoke)
	//
	// > **SYNTHETIC DATA: measured values come from a synthetic twin (toy), not from the paper's data. They test the pipeline; they do NOT reproduce the paper's numbers. Scale "smoke": shrunken models and schedules, not the paper's protocol. Cached from abc123 (the record): read from earlier runs, not computed now.**
	//
	// | name | acc (paper) | acc (measured) | Δ acc | flags |
	// |---|---|---|---|---|
	// | a | 80.0 | 61.2 | -18.8 | — |
	// | b | 85.0 | — | — | not run |
	//
	// Notes:
	// - Paper values: toy paper, Table 2.
	// - Measured metrics multiplied by 100: acc (accuracy).
	//
	// Provenance: 1 run record; backend purego; commit abc123; code unrecorded.
}

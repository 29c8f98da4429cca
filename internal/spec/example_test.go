package spec_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/spec"
)

func ExampleParse() {
	text := `
[experiment]
id = "toy"
paper = "Toy"
table = "Table 1"
title = "width sweep"
task = "demo"

[data]
dataset = "planted-signal"
source = "synthetic"

[train]
epochs = 20

[scale.smoke]
train.epochs = 2

[scale.full]

[sweep]
model.hidden = [0, 16]

[table]
columns = [{ label = "accuracy", paper = "acc", measured = "val_accuracy", factor = 100 }]

[paper]
source = "made up"
rows = [{ hidden = 16, acc = 91.5 }]
`
	s, err := spec.Parse("toy.toml", []byte(text))
	if err != nil {
		fmt.Println(err)
		return
	}
	points, _ := s.Expand("smoke", "")
	for _, p := range points {
		epochs, _ := spec.GetPath(p.Config, "train.epochs")
		fmt.Printf("%s: epochs=%v hash=%d hex digits\n", p.Label, epochs, len(p.Hash))
	}
	fmt.Println(s.Paper.Rows[0].Values["acc"])

	_, err = spec.Parse("bad.toml", []byte("[experiment]\nid = \"x\"\nsize = 3\n"))
	fmt.Println(err)
	// Output:
	// hidden=0: epochs=2 hash=16 hex digits
	// hidden=16: epochs=2 hash=16 hex digits
	// 91.5
	// bad.toml:3: experiment.size: unknown key (known keys: backend, depends, id, note, paper, table, task, title)
}

func ExampleDecodeStrict() {
	type Model struct {
		Hidden int     `toml:"hidden,required"`
		Drop   float64 `toml:"dropout"`
	}
	var m Model
	err := spec.DecodeStrict(map[string]any{"hidden": int64(8), "dropout": int64(0)}, &m, "model")
	fmt.Println(m, err)
	err = spec.DecodeStrict(map[string]any{"hidden": "8"}, &m, "model")
	fmt.Println(err)
	// Output:
	// {8 0} <nil>
	// model.hidden: want an integer, got string "8"
}

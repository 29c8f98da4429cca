package table

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
)

const intervalSpec = `
[experiment]
id = "toy-seeds"
paper = "Toy"
table = "Table 3"
title = "seeds"
task = "toy"

[data]
dataset = "toy"
source = "synthetic"

[train]
seed = 1

[scale.smoke]
[scale.full]

[sweep]
model.k = ["one", "inside", "outside", "identical", "low"]

[table]
rows = ["k"]
columns = [{ label = "acc", paper = "acc", measured = "acc", digits = 2 }]

[paper]
source = "made up"
rows = [
  { k = "one", acc = 9.0 },
  { k = "inside", acc = 4.4 },
  { k = "outside", acc = 4.5 },
  { k = "identical", acc = 7.0 },
  { k = "low", acc = -0.5 },
]
`

// TestIntervalCells: cells over several seeds show mean ± the 95% t
// half-width and mark a paper value outside it; one seed looks as before.
// Values 1, 2, 3: mean 2, sd 1, half = t(0.975; 2)/√3 = 4.302652729749464/√3
// = 2.4841377118 (t from SciPy 1.10.1 t.ppf, as in internal/stats's
// fixture), so the interval is [−0.484, 4.484].
func TestIntervalCells(t *testing.T) {
	s, err := spec.Parse("seeds.toml", []byte(intervalSpec))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := s.Expand("smoke", "")
	if err != nil {
		t.Fatal(err)
	}
	values := map[string][]float64{
		"one": {2}, "inside": {1, 2, 3}, "outside": {1, 2, 3}, "identical": {7, 7, 7}, "low": {1, 2, 3},
	}
	var recs []results.Record
	for _, p := range ps {
		k := p.Axes["model.k"].(string)
		for i, v := range values[k] {
			recs = append(recs, results.Record{Experiment: p.ExperimentID, Scale: "smoke", Hash: p.Hash + string(rune('a'+i)),
				Axes: p.Axes, Config: p.Config, DataSource: "synthetic", Backend: "fake", Commit: "abc", Seed: int64(i + 1),
				Metrics: map[string]float64{"acc": v}})
		}
	}
	tb := Build(s, s.Tables[0], recs, "smoke", nil)
	const tol = 1e-9 // against the closed form above, printed to 10 decimals
	const half = 2.4841377118
	cases := []struct {
		row                 int
		n                   int
		half                float64
		interval, outside   bool
		paperText, measText string
		csvHalf, csvOutside string
	}{
		{0, 1, 0, false, false, "9.00", "2.00", "", ""},
		{1, 3, half, true, false, "4.40", "2.00 ± 2.48 (n=3)", "2.48413771", "false"},
		{2, 3, half, true, true, "4.50 †", "2.00 ± 2.48 (n=3)", "2.48413771", "true"},
		{3, 3, 0, false, false, "7.00", "7.00 (n=3, identical)", "", ""},
		{4, 3, half, true, true, "-0.50 †", "2.00 ± 2.48 (n=3)", "2.48413771", "true"},
	}
	var buf bytes.Buffer
	if err := tb.CSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, c := range cases {
		cell := tb.Rows[c.row].Cells[0]
		if cell.N != c.n || math.Abs(cell.Half-c.half) > tol || cell.HasInterval() != c.interval || cell.Outside != c.outside {
			t.Errorf("row %d: n=%d half=%.12g interval=%v outside=%v; want %d %.12g %v %v", c.row, cell.N, cell.Half, cell.HasInterval(), cell.Outside, c.n, c.half, c.interval, c.outside)
		}
		if got := PaperText(cell, 2); got != c.paperText {
			t.Errorf("row %d: paper text %q, want %q", c.row, got, c.paperText)
		}
		if got := MeasuredText(cell, 2); got != c.measText {
			t.Errorf("row %d: measured text %q, want %q", c.row, got, c.measText)
		}
		r := rows[c.row+1]
		if !strings.HasPrefix(r[col["acc_ci95_half"]], c.csvHalf) || (c.csvHalf == "") != (r[col["acc_ci95_half"]] == "") || r[col["acc_paper_outside_ci95"]] != c.csvOutside {
			t.Errorf("row %d: csv half %q outside %q, want %q %q", c.row, r[col["acc_ci95_half"]], r[col["acc_paper_outside_ci95"]], c.csvHalf, c.csvOutside)
		}
	}
	notes := strings.Join(tb.Notes, "\n")
	for _, w := range []string{"95% Student t-interval", Mark + " after a paper value marks it outside that interval: 2 of the 3 paper values", "(n=k, identical)"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	buf.Reset()
	tb.LaTeX(&buf)
	for _, w := range []string{`4.50$^\dagger$ & $2.00 \pm 2.48$ (n=3)`, `9.00 & 2.00 & -7.00`} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("tex lacks %q:\n%s", w, buf.String())
		}
	}
}

// TestOneSeedUnchanged: with one record per row nothing about intervals
// appears (the tables look as before seeds existed).
func TestOneSeedUnchanged(t *testing.T) {
	s, err := spec.Parse("seeds.toml", []byte(intervalSpec))
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := s.Expand("smoke", "")
	var recs []results.Record
	for _, p := range ps {
		recs = append(recs, results.Record{Experiment: p.ExperimentID, Scale: "smoke", Hash: p.Hash, Axes: p.Axes, Config: p.Config,
			DataSource: "synthetic", Backend: "fake", Commit: "abc", Metrics: map[string]float64{"acc": 3}})
	}
	tb := Build(s, s.Tables[0], recs, "smoke", nil)
	var md bytes.Buffer
	tb.Markdown(&md)
	for _, w := range []string{"±", Mark, "n=", "t-interval"} {
		if strings.Contains(md.String(), w) {
			t.Errorf("one-seed table has %q:\n%s", w, md.String())
		}
	}
}

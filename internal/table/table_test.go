package table

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
)

// fakeRecords makes one record per point with map = 0.5 + 0.01*seed (+0.1 with res).
func fakeRecords(t *testing.T, s *spec.Spec, source string) []results.Record {
	t.Helper()
	ps, err := s.Expand("smoke", "")
	if err != nil {
		t.Fatal(err)
	}
	var recs []results.Record
	for _, p := range ps {
		seed, _ := spec.GetPath(p.Config, "train.seed")
		m := 0.5 + 0.01*float64(seed.(int64))
		if spec.Equal(p.Axes["model.res"], true) {
			m += 0.1
		}
		// Axes go through JSON in real records: integers become float64.
		axes := map[string]any{}
		for k, v := range p.Axes {
			if i, ok := v.(int64); ok {
				axes[k] = float64(i)
			} else {
				axes[k] = v
			}
		}
		recs = append(recs, results.Record{Experiment: p.ExperimentID, Scale: "smoke", Hash: p.Hash, Axes: axes,
			Config: p.Config, DataSource: source, Backend: "fake", Commit: "abc",
			Metrics: map[string]float64{"map": m}})
	}
	return recs
}

func TestBuild(t *testing.T) {
	s, err := spec.Load("testdata/ablation.toml")
	if err != nil {
		t.Fatal(err)
	}
	tb := Build(s, s.Tables[0], fakeRecords(t, s, "synthetic"), "smoke", nil)
	if len(tb.Rows) != 6 { // 5 paper rows + (gru, true) missing from the paper
		t.Fatalf("%d rows, want 6", len(tb.Rows))
	}
	const tol = 1e-9 // values are sums of a few decimals
	cases := []struct {
		row      int
		measured float64
		n        int
		diff     float64
		flag     string
	}{
		{0, 51.5, 2, 51.5 - 70, ""},
		{1, 61.5, 2, 61.5 - 71, "DUPLICATE: same settings as paper row 4"},
		{3, 61.5, 2, 61.5 - 73, "DUPLICATE: same settings as paper row 2"},
		{4, 0, 0, 0, "paper only"},
		{5, 61.5, 2, 0, "MISSING FROM PAPER"},
	}
	for _, c := range cases {
		r := tb.Rows[c.row]
		cell := r.Cells[0]
		if cell.N != c.n || (c.n > 0 && abs(cell.Measured-c.measured) > tol) {
			t.Errorf("row %d: measured %v n=%d, want %v n=%d", c.row, cell.Measured, cell.N, c.measured, c.n)
		}
		if cell.HasDiff && abs(cell.Diff-c.diff) > tol {
			t.Errorf("row %d: diff %v, want %v", c.row, cell.Diff, c.diff)
		}
		if got := strings.Join(r.Flags, ";"); !strings.Contains(got, c.flag) || (c.flag == "" && got != "") {
			t.Errorf("row %d: flags %q, want %q", c.row, got, c.flag)
		}
	}
	if !strings.HasPrefix(tb.Banner, "SYNTHETIC DATA") || !strings.Contains(tb.Banner, "do NOT reproduce") || !strings.Contains(tb.Banner, `Scale "smoke"`) {
		t.Errorf("banner %q", tb.Banner)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestBanner(t *testing.T) {
	s, _ := spec.Load("testdata/ablation.toml")
	real := fakeRecords(t, s, "real")
	mixed := append(fakeRecords(t, s, "synthetic")[:1], real[1:]...)
	cases := []struct {
		name string
		recs []results.Record
		want string
	}{
		{"none", nil, "NO MEASUREMENTS"},
		{"real", real, "Real data (toy-twin)"},
		{"mixed", mixed, "MIXED DATA SOURCES"},
	}
	for _, c := range cases {
		if b := Build(s, s.Tables[0], c.recs, "smoke", nil).Banner; !strings.HasPrefix(b, c.want) {
			t.Errorf("%s: banner %q, want prefix %q", c.name, b, c.want)
		}
	}
}

func TestFormats(t *testing.T) {
	s, _ := spec.Load("testdata/ablation.toml")
	tb := Build(s, s.Tables[0], fakeRecords(t, s, "synthetic"), "smoke", nil)
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := tb.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		golden := "testdata/ablation." + f
		if os.Getenv("UPDATE_GOLDEN") != "" {
			os.WriteFile(golden, buf.Bytes(), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create)", err)
		}
		if buf.String() != string(want) {
			t.Errorf("%s differs from %s:\n%s", f, golden, buf.String())
		}
	}
	var buf bytes.Buffer
	tb.CSV(&buf)
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 7 {
		t.Fatalf("csv: %d rows, %v", len(rows), err)
	}
	for _, r := range rows[1:] {
		if r[3] != "synthetic" {
			t.Errorf("csv row without data source: %v", r)
		}
	}
	if err := tb.Write(&buf, "html"); err == nil {
		t.Error("unknown format accepted")
	}
}

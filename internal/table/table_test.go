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

// TestOrigin: the banner says which records were reused ("Cached from
// <commit>"), made from a dirty tree, or cite a commit the repository
// lacks; the CSV says it per row.
func TestOrigin(t *testing.T) {
	s, err := spec.Load("testdata/ablation.toml")
	if err != nil {
		t.Fatal(err)
	}
	const head = "1111111111111111111111111111111111111111"
	const gone = "dd15b3194d60aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	with := func(f func(i int, r *results.Record)) []results.Record {
		recs := fakeRecords(t, s, "synthetic")
		for i := range recs {
			recs[i].Commit = head
			f(i, &recs[i])
		}
		return recs
	}
	exists := func(c string) bool { return c == head }
	all := func(recs []results.Record) map[string]bool {
		m := map[string]bool{}
		for _, r := range recs {
			m[r.Hash] = true
		}
		return m
	}
	fresh := with(func(int, *results.Record) {})
	half := with(func(i int, r *results.Record) {
		if i%2 == 1 {
			r.Commit = gone
		}
	})
	dirty := with(func(i int, r *results.Record) { r.Dirty = i == 0 })
	cases := []struct {
		name    string
		recs    []results.Record
		o       Origin
		want    []string // banner parts
		notWant []string
		rowProv string // provenance of the first row (paper row 1)
	}{
		{"all computed now", fresh, Origin{Fresh: all(fresh), CommitExists: exists}, nil,
			[]string{"Cached", "dirty", "not in repository"}, "computed now at 111111111111"},
		{"all reused", fresh, Origin{CommitExists: exists},
			[]string{"Cached from 111111111111 (all 8 records): read from earlier runs, not computed now."},
			[]string{"dirty", "not in repository"}, "cached from 111111111111"},
		{"reused from two commits, one missing", half, Origin{CommitExists: exists},
			[]string{"Cached from 111111111111, dd15b3194d60 (all 8 records)", "Commit not in repository (4 of 8 records): dd15b3194d60, which"},
			nil, "cached from 111111111111, dd15b3194d60 (commit not in repository)"},
		{"one dirty record", dirty, Origin{Fresh: all(dirty)},
			[]string{"From a dirty tree (1 of 8 records): made with uncommitted changes on top of 111111111111"},
			[]string{"Cached"}, "computed now at 111111111111 (dirty), 111111111111"}, // row 1 has two records (seeds)
		{"skipped records join the notes", fresh, Origin{Skipped: []string{"3 records of another code version ignored"}},
			[]string{"Cached from"}, nil, "cached from 111111111111"},
	}
	for _, c := range cases {
		tb := BuildFrom(s, s.Tables[0], c.recs, "smoke", nil, c.o)
		for _, w := range c.want {
			if !strings.Contains(tb.Banner, w) {
				t.Errorf("%s: banner %q lacks %q", c.name, tb.Banner, w)
			}
		}
		for _, w := range c.notWant {
			if strings.Contains(tb.Banner, w) {
				t.Errorf("%s: banner %q has %q", c.name, tb.Banner, w)
			}
		}
		if got := tb.Rows[0].Provenance; got != c.rowProv {
			t.Errorf("%s: row provenance %q, want %q", c.name, got, c.rowProv)
		}
		if len(c.o.Skipped) > 0 && tb.Notes[len(tb.Notes)-1] != c.o.Skipped[0] {
			t.Errorf("%s: notes %q lack the skipped records", c.name, tb.Notes)
		}
		var buf bytes.Buffer
		tb.CSV(&buf)
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || rows[0][len(rows[0])-1] != "provenance" || rows[1][len(rows[1])-1] != c.rowProv {
			t.Errorf("%s: csv provenance column: %v %v", c.name, rows[:2], err)
		}
	}
}

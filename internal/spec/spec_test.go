package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadGood(t *testing.T) {
	s, err := Load("testdata/good.toml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range s.Axes {
		names = append(names, a.Short)
	}
	if got, want := strings.Join(names, ","), "layer,a,hidden"; got != want {
		t.Errorf("axes %s, want %s (file order)", got, want)
	}
	cases := []struct {
		scale string
		n     int
	}{
		{"full", 2*2*2 - 2 + 1}, // grid minus (gru, a=true) x 2 hidden, plus one include
		{"smoke", 2*2*1 - 1 + 1},
	}
	for _, c := range cases {
		ps, err := s.Expand(c.scale, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != c.n {
			t.Errorf("%s: %d points, want %d", c.scale, len(ps), c.n)
		}
		for _, p := range ps {
			if len(p.Hash) != 16 {
				t.Errorf("hash %q", p.Hash)
			}
		}
	}
	ps, _ := s.Expand("smoke", "")
	if got := ps[0].Label; got != "layer=none a=false hidden=4" {
		t.Errorf("label %q", got)
	}
	if e, _ := GetPath(ps[0].Config, "train.epochs"); e != int64(2) {
		t.Errorf("smoke epochs %v, want 2", e)
	}
	if got := len(s.Paper.Rows); got != 3 {
		t.Fatalf("%d paper rows", got)
	}
	if r := s.Paper.Rows[1]; r.Row != "2" || r.Values["map"] != 71.0 || !Equal(r.Key["model.flags.a"], true) {
		t.Errorf("paper row %+v", r)
	}
	if s.Paper.Rows[2].Line != 51 {
		t.Errorf("paper row 3 at line %d, want 51", s.Paper.Rows[2].Line)
	}
}

func TestHashStable(t *testing.T) {
	a := map[string]any{"model": map[string]any{"x": int64(1), "y": "a"}, "train": map[string]any{}}
	b := map[string]any{"train": map[string]any{}, "model": map[string]any{"y": "a", "x": int64(1)}}
	if Hash("e", a, "") != Hash("e", b, "") {
		t.Error("hash depends on key order")
	}
	if Hash("e", a, "") == Hash("f", a, "") || Hash("e", a, "") == Hash("e", a, "v2") {
		t.Error("hash ignores experiment id or code version")
	}
	// Golden value (computed once with this code): if it changes, every
	// cached record is silently invalidated; bump HashVersion on purpose instead.
	if got, want := Hash("e", a, ""), "2aa2aed4d7491d24"; got != want {
		t.Errorf("Hash = %s, want %s", got, want)
	}
}

// mutate replaces old by new in the good spec and returns the text.
func mutate(t *testing.T, old, new string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/good.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("good.toml has no %q", old)
	}
	return []byte(strings.Replace(string(b), old, new, 1))
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, old, new string
		want           string // substring of the error: file:line: key: message
	}{
		{"unknown section", "[data]", "[dta]\nx=1\n[data]", "bad.toml:9: dta: unknown section"},
		{"unknown experiment key", `task = "toy"`, "task = \"toy\"\ntsk = 1", "bad.toml:8: experiment.tsk: unknown key"},
		{"wrong type", `title = "A toy ablation"`, `title = 3`, "bad.toml:6: experiment.title: want a string, got integer 3"},
		{"missing required", `paper = "Toy"`, ``, "experiment.paper: required key is missing"},
		{"bad id", `id = "toy-table"`, `id = "Toy Table"`, "bad.toml:3: experiment.id"},
		{"empty axis", `model.hidden = [16, 32]`, `model.hidden = []`, "bad.toml:30: sweep.model.hidden: empty sweep axis"},
		{"axis not array", `model.hidden = [16, 32]`, `model.hidden = 16`, "sweep.model.hidden: a sweep axis is an array"},
		{"axis outside config", `model.hidden = [16, 32]`, `other.hidden = [16, 32]`, "sweep.other.hidden: a sweep axis must name"},
		{"repeated axis value", `model.hidden = [16, 32]`, `model.hidden = [16, 16]`, "repeats an earlier value"},
		{"empty sweep", "[sweep]\nmodel.layer = [\"none\", \"gru\"]\nmodel.flags.a = [false, true]\nmodel.hidden = [16, 32]\n\n[[sweep.exclude]]\nlayer = \"gru\"\na = true\n\n[[sweep.include]]\nmodel.layer = \"conv\"\nmodel.extra = 3\n",
			"[sweep]\n", "sweep: empty sweep"},
		{"exclude non-axis", "layer = \"gru\"\na = true", "layer = \"gru\"\nb = true", "bad.toml:34: sweep.exclude[0].b: not a sweep axis"},
		{"missing scale", "[scale.full]\n", "", "[scale.full] is missing"},
		{"bad override", "train.epochs = 2", "epochs = 2", "scale.smoke.epochs: an override names a key"},
		{"override unknown axis", "sweep.model.hidden = [4]", "sweep.model.width = [4]", "bad.toml:23: scale.smoke.sweep.model.width: not a sweep axis"},
		{"bad source", `source = "synthetic"`, `source = "fake"`, `data.source`},
		{"missing dataset", `dataset = "toy"`, ``, "data.dataset: required key is missing"},
		{"table row not axis", `rows = ["layer", "a"]`, `rows = ["layer", "zz"]`, `bad.toml:41: table.rows[1]: "zz" is not a sweep axis`},
		{"empty column", `{ label = "mAP", paper = "map", measured = "map", factor = 100 }`, `{ label = "mAP" }`, "table.columns[0]: a column needs"},
		{"paper unknown key", `{ row = 2, layer = "none", a = 1, map = 71.0 }`, `{ row = 2, layer = "none", a = 1, mAP = 71.0 }`, "bad.toml:50: paper.rows[1].mAP: neither a sweep axis"},
		{"paper bad value", `map = 70.5 }`, `map = true }`, "paper.rows[0].map: a paper value is a number"},
		{"syntax", `hidden = 16`, `hidden = = 16`, "bad.toml:14"},
		{"duplicate include", "model.layer = \"conv\"\nmodel.extra = 3", `model.layer = "none"`, "resolves to the same run"},
		{"nan", `hidden = 16`, `hidden = nan`, "model.hidden: NaN is not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := mutate(t, c.old, c.new)
			_, err := Parse("bad.toml", text)
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Errorf("error %T is not *spec.Error", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, c.want)
			}
		})
	}
}

func TestDecodeStrict(t *testing.T) {
	type cfg struct {
		Hidden int              `toml:"hidden,required"`
		LR     float64          `toml:"lr"`
		Layer  string           `toml:"layer"`
		Flags  []bool           `toml:"flags"`
		Sub    struct{ N int8 } `toml:"sub"`
	}
	cases := []struct {
		name string
		in   map[string]any
		want string // "" = ok
	}{
		{"ok", map[string]any{"hidden": int64(3), "lr": int64(1), "flags": []any{true}}, ""},
		{"unknown", map[string]any{"hidden": int64(3), "hiden": int64(3)}, "model.hiden: unknown key (known keys: flags, hidden, layer, lr, sub)"},
		{"missing", map[string]any{"lr": 0.1}, "model.hidden: required key is missing"},
		{"type", map[string]any{"hidden": 3.5}, "model.hidden: want an integer, got float 3.5"},
		{"elem", map[string]any{"hidden": int64(1), "flags": []any{true, "x"}}, `model.flags[1]: want a boolean (true or false), got string "x"`},
		{"nested", map[string]any{"hidden": int64(1), "sub": map[string]any{"n": int64(300)}}, "model.sub.n: integer 300 out of range for int8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got cfg
			err := DecodeStrict(c.in, &got, "model")
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.LR != 1 || got.Hidden != 3 {
					t.Errorf("decoded %+v", got)
				}
				return
			}
			if err == nil || err.Error() != c.want {
				t.Errorf("error %v, want %s", err, c.want)
			}
			if _, ok := AsKeyError(err); !ok {
				t.Errorf("error %T is not a KeyError", err)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	s, err := Load("testdata/good.toml")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := s.Expand("smoke", "")
	cases := []struct {
		key  string
		want string
	}{
		{"model.hidden", "good.toml:23: scale.smoke.sweep.model.hidden"}, // smoke overrides the axis
		{"model.layer", "good.toml:28: sweep.model.layer"},
		{"train.epochs", "good.toml:22: scale.smoke.train.epochs"},
		{"train.seed", "good.toml:19: train.seed"},
	}
	for _, c := range cases {
		err := s.Locate(ps[0], Errorf(c.key, "bad"))
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %s", c.key, err, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.toml")
	for _, p := range seeds {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("[experiment]\nid=1"))
	f.Add([]byte("[sweep]\n[[sweep.include]]\n[scale.smoke]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse("fuzz.toml", b)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *spec.Error: %v", err, err)
			}
			return
		}
		for _, sc := range s.ScaleNames() {
			if _, err := s.Expand(sc, ""); err != nil {
				t.Fatalf("validated spec fails to expand %s: %v", sc, err)
			}
		}
	})
}

func TestMultiTableAndPaperRowsTables(t *testing.T) {
	text := `
[experiment]
id = "multi"
paper = "P"
table = "Tables 4-7"
title = "t"
task = "x"
[data]
dataset = "d"
source = "real"
[scale.smoke]
[scale.full]
[sweep]
model.variant = ["a", "b"]
[[table]]
name = "iv"
columns = [{ paper = "map", measured = "map" }]
[[table]]
name = "v"
title = "Table V"
columns = [{ paper = "avg", measured = "avg" }]
[paper]
source = "p.txt"
[[paper.rows]]
table = "iv"
variant = "a"
map = 1.5
[[paper.rows]]
table = "v"
variant = "b"
avg = 2
`
	s, err := Parse("multi.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tables) != 2 || s.Tables[1].Title != "Table V" || s.Tables[0].Title != "t" {
		t.Fatalf("tables %+v", s.Tables)
	}
	if r := s.Paper.Rows[1]; r.Table != "v" || r.Values["avg"] != 2.0 || r.Line != 28 {
		t.Errorf("row %+v", r)
	}
	bad := strings.Replace(text, "avg = 2", "map = 2", 1)
	if _, err := Parse("multi.toml", []byte(bad)); err == nil || !strings.Contains(err.Error(), `multi.toml:31: paper.rows[1].map: neither a sweep axis (variant), a paper column of table "v" (avg)`) {
		t.Errorf("error %v", err)
	}
}

func TestDecodeSections(t *testing.T) {
	type data struct {
		N int `toml:"n"`
	}
	type train struct {
		LR float64 `toml:"lr"`
	}
	for _, c := range []struct {
		name    string
		config  map[string]any
		wantN   int
		wantLR  float64
		wantErr string
	}{
		{"defaults kept when tables are absent", map[string]any{}, 3, 0.5, ""},
		{"both tables", map[string]any{"data": map[string]any{"n": int64(7)}, "train": map[string]any{"lr": 0.1}}, 7, 0.1, ""},
		{"unknown key names the section", map[string]any{"train": map[string]any{"rate": 0.1}}, 3, 0.5, "train.rate"},
		{"not a table", map[string]any{"data": "x"}, 3, 0.5, "data: must be a table"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, tr := data{N: 3}, train{LR: 0.5}
			err := DecodeSections(c.config, Section{Name: "data", Into: &d}, Section{Name: "train", Into: &tr})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.N != c.wantN || tr.LR != c.wantLR {
				t.Fatalf("got n=%d lr=%g, want n=%d lr=%g", d.N, tr.LR, c.wantN, c.wantLR)
			}
		})
	}
}

package kernel

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/plots"
)

func TestParameters(t *testing.T) {
	defaults := Params{Scale: "smoke", Backend: "purego", Seed: 7}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    Params
		wantErr string
	}{
		{"defaults", nil, Params{Scale: "smoke", Backend: "purego", Seed: 7}, ""},
		{"overrides", map[string]string{EnvScale: "full", EnvBackend: "go", EnvSeed: "42", EnvData: "/data"},
			Params{Scale: "full", Backend: "go", Seed: 42, DataRoot: "/data"}, ""},
		{"blank values keep defaults", map[string]string{EnvScale: " ", EnvBackend: ""}, Params{Scale: "smoke", Backend: "purego", Seed: 7}, ""},
		{"bad seed", map[string]string{EnvSeed: "x1"}, Params{}, `ACTREPRO_SEED="x1" is not an integer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{EnvScale, EnvBackend, EnvSeed, EnvData} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			got, err := Parameters(defaults)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	t.Run("empty defaults get project defaults", func(t *testing.T) {
		for _, k := range []string{EnvScale, EnvBackend, EnvSeed, EnvData} {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
		got, _ := Parameters(Params{})
		if got != (Params{Scale: "smoke", Backend: "purego", Seed: 0}) {
			t.Errorf("got %+v", got)
		}
	})
}

func TestRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+Module+"\n\ngo 1.24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvRoot, dir)
	got, err := Root()
	if err != nil || got != dir {
		t.Errorf("Root() = %q, %v; want %q", got, err, dir)
	}
	other := t.TempDir()
	t.Setenv(EnvRoot, other)
	if _, err := Root(); err == nil || !strings.Contains(err.Error(), "not an actrepro checkout") {
		t.Errorf("Root() with a non-checkout: %v", err)
	}
	os.Unsetenv(EnvRoot)
	got, err = Root() // from the package's own directory (go test's cwd)
	if err != nil || !isRoot(got) {
		t.Errorf("Root() from the package dir = %q, %v", got, err)
	}
}

func TestTableRendering(t *testing.T) {
	tb := &Table{
		Title: "T <1>", Banner: "SYNTHETIC", Synthetic: true,
		Header: []string{"row", "value"},
		Rows:   [][]string{{"a|b", "-1.50"}, {"c"}},
		Notes:  []string{"note & more"},
	}
	md := tb.Markdown()
	for _, want := range []string{"### T <1>", "> **SYNTHETIC**", `| a\|b | -1.50 |`, "| c |  |", "note & more"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	h := tb.HTML()
	for _, want := range []string{"T &lt;1&gt;", "#fff4e0", "text-align:right\">-1.50", "note &amp; more", "a|b"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	tb.Synthetic = false
	if !strings.Contains(tb.HTML(), "#e8f4ea") {
		t.Errorf("real-data banner is not green")
	}
}

func TestNumeric(t *testing.T) {
	for s, want := range map[string]bool{"1": true, "-1.5": true, "+0.25": true, "76.9%": true, "": false, "1.2.3": false, "n/a": false, "—": false} {
		if got := numeric(s); got != want {
			t.Errorf("numeric(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestProgressNestedText(t *testing.T) {
	var buf bytes.Buffer
	Output = &buf
	defer func() { Output = nil }()
	p := NewProgress("x")
	p.Step(1, nil) // outside a phase: ignored
	p.Start("sweep", 2)
	for i := 1; i <= 2; i++ {
		p.Start("train", 100)
		for e := 1; e <= 100; e++ {
			p.Step(e, map[string]float64{"loss": 1})
		}
		p.Finish()
		p.Step(i, nil)
	}
	p.Finish()
	p.Finish() // extra Finish: ignored
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// per train phase: start, 11 reports (epoch 1 and every 10th), done; sweep: start, 2 steps, done.
	if want := 2*(1+11+1) + 4; len(lines) != want {
		t.Errorf("%d lines, want %d:\n%s", len(lines), want, buf.String())
	}
	if !strings.HasPrefix(lines[1], "  train: start") {
		t.Errorf("inner phase not indented: %q", lines[1])
	}
	if len(p.finished) != 2 {
		t.Errorf("%d finished leaf phases, want 2", len(p.finished))
	}
	if svg := curveSVG("t", p.finished); !strings.Contains(svg, "<svg") {
		t.Errorf("summary curve is not an SVG")
	}
}

func TestEvery(t *testing.T) {
	for _, tc := range []struct {
		total, n, done int
		want           bool
	}{
		{5, 10, 3, true}, {100, 10, 1, true}, {100, 10, 100, true}, {100, 10, 20, true}, {100, 10, 21, false}, {0, 10, 0, true},
	} {
		if got := every(tc.total, tc.n, tc.done); got != tc.want {
			t.Errorf("every(%d,%d,%d) = %v", tc.total, tc.n, tc.done, got)
		}
	}
}

func TestExperimentsListsBrokenSpecs(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+Module+"\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "experiments", "x"), 0o755)
	os.WriteFile(filepath.Join(dir, "experiments", "x", "bad.toml"), []byte("[experiment\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "experiments", "README.md"), []byte("not a spec"), 0o644)
	t.Setenv(EnvRoot, dir)
	es, err := Experiments()
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Path != "experiments/x/bad.toml" || es[0].Err == nil {
		t.Fatalf("Experiments() = %+v", es)
	}
	if !strings.Contains(es[0].Err.Error(), "bad.toml") {
		t.Errorf("error does not name the file: %v", es[0].Err)
	}
}

func TestSaveFigureUnderRoot(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+Module+"\n"), 0o644)
	t.Setenv(EnvRoot, dir)
	f, err := plots.Curves("c", "epoch", "loss", []plots.Series{{Name: "train", Y: []float64{2, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	paths, err := SaveFigure(f, "results/figs/loss")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 3 || paths[0] != filepath.Join(dir, "results/figs/loss.svg") {
		t.Errorf("paths = %v", paths)
	}
}

func TestMustPanicsWithTheError(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "boom") {
			t.Errorf("recovered %v", r)
		}
	}()
	Must(0, errString("boom"))
}

type errString string

func (e errString) Error() string { return string(e) }

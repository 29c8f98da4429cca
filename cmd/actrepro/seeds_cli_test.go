package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
)

// TestSeedsCLI: run --seeds 3 then --seeds 4 trains only the new seed;
// the tables show mean ± half-width (n=k); stats paired --spec pairs two
// rows by seed.
func TestSeedsCLI(t *testing.T) {
	out := t.TempDir()
	const demo = "testdata/specs/demo.toml"
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"--seeds", "3"}, []string{"6 runs (6 ran, 0 cached, 0 failed)", "(n=3)", "95% Student t-interval"}},
		{[]string{"--seeds", "4"}, []string{"8 runs (2 ran, 6 cached, 0 failed)", "(n=4)"}},
		{nil, []string{"2 runs (0 ran, 2 cached, 0 failed)", "(n=4)"}},
	}
	for _, st := range steps {
		code, stdout, stderr := cli(append([]string{"run", demo, "--out", out, "--quiet"}, st.args...)...)
		if code != 0 {
			t.Fatalf("run %v: exit %d\n%s", st.args, code, stderr)
		}
		for _, w := range st.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("run %v: output lacks %q:\n%s", st.args, w, stdout)
			}
		}
	}
	dir := results.Dir(out, "cli-demo", "smoke")
	if code, stdout, stderr := cli("table", dir, "--format", "csv"); code != 0 || !strings.Contains(stdout, "val accuracy_ci95_half") || !strings.Contains(stdout, ",4,") {
		t.Errorf("table: exit %d %s\n%s", code, stderr, stdout)
	}
	code, stdout, stderr := cli("stats", "paired", "--spec", demo, "--results", out, "--a-row", "signal=0", "--b-row", "signal=1", "--metric", "val_accuracy")
	if code != 0 {
		t.Fatalf("stats paired --spec: exit %d\n%s", code, stderr)
	}
	var rep struct {
		N       int     `json:"n"`
		Pairing string  `json:"pairing"`
		Seeds   []int64 `json:"seeds"`
		Ttest   struct {
			DF int `json:"df"`
		} `json:"ttest"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.N != 4 || rep.Pairing != "seed" || len(rep.Seeds) != 4 || rep.Seeds[0] != 1 || rep.Ttest.DF != 3 {
		t.Errorf("stats paired --spec: %+v %v\n%s", rep, err, stdout)
	}
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"run", demo, "--out", out, "--quiet", "--seeds", "0"}, "--seeds: a seed count is 1..100"},
		{[]string{"run", demo, "--out", out, "--quiet", "--seeds", "1,1"}, "seed 1 repeats"},
		{[]string{"stats", "paired", "--spec", demo, "--results", out, "--a-row", "nope=1", "--b-row", "signal=1", "--metric", "val_accuracy"}, `"nope" is not a sweep axis`},
		{[]string{"stats", "paired", "--spec", demo, "--results", out, "--a-row", "hidden=0", "--b-row", "signal=1", "--metric", "val_accuracy"}, "picks several runs at seed 1"},
		{[]string{"stats", "paired", "--spec", demo, "--results", out, "--a-row", "signal=0", "--b-row", "signal=1"}, "needs --a-row, --b-row and --metric"},
	} {
		code, _, stderr := cli(c.args...)
		if code != 2 || !strings.Contains(stderr, c.err) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, stderr, c.err)
		}
	}
}

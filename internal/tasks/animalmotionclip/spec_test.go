package animalmotionclip

import (
	"context"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/harness"
)

const specDir = "../../../experiments/animalmotionclip/"

// TestSmokeSpecs runs the sweep at smoke scale on the motion twin, then the three table specs
// on its records: five runs, each table row copies the mAP of the run with its scheme and
// modality, and Table 1 has our row beside the paper's six literature rows.
func TestSmokeSpecs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five smoke models (about 15 CPU-s): not in -short")
	}
	if !data.HaveFFmpeg() {
		t.Skip("the motion twin needs ffmpeg: " + data.FFmpegHint)
	}
	out := t.TempDir()
	rep, err := harness.Run(context.Background(), specDir+"runs.toml", harness.Options{Scale: "smoke", OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != 5 || len(rep.Failed) != 0 {
		t.Fatalf("ran %d points, %d failed, want 5 and 0", rep.Ran, len(rep.Failed))
	}
	byRow := map[[2]string]float64{}
	for _, r := range rep.Records {
		m := r.Metrics["map_macro"]
		if r.DataSource != "synthetic" || r.Params <= 0 || !(m > 0 && m <= 1) || r.Metrics["n_val"] != 16 {
			t.Errorf("%s: source %q params %d macro %v n_val %v", r.Label, r.DataSource, r.Params, m, r.Metrics["n_val"])
		}
		byRow[[2]string{r.Axes["model.scheme"].(string), r.Axes["model.modality"].(string)}] = m
	}
	cases := []struct {
		spec string
		rows int
	}{{"table2_sampling.toml", 3}, {"table3_modality.toml", 3}, {"table1_comparison.toml", 1}}
	for _, c := range cases {
		rep, err := harness.Run(context.Background(), specDir+c.spec, harness.Options{Scale: "smoke", OutDir: out})
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if len(rep.Records) != c.rows {
			t.Fatalf("%s: %d records, want %d", c.spec, len(rep.Records), c.rows)
		}
		for _, r := range rep.Records {
			key := [2]string{r.Config["model"].(map[string]any)["scheme"].(string), r.Config["model"].(map[string]any)["modality"].(string)}
			want, ok := byRow[key]
			if got := r.Metrics["map_macro"]; !ok || got != want || r.Metrics["n_runs"] != 1 {
				t.Errorf("%s %v: macro %v from %v runs, the sweep's run has %v", c.spec, key, got, r.Metrics["n_runs"], want)
			}
			if r.DataSource != "synthetic" {
				t.Errorf("%s: source %q", c.spec, r.DataSource)
			}
		}
		if c.spec == "table1_comparison.toml" {
			if n := len(rep.Tables[0].Rows); n != 7 {
				t.Errorf("table 1 has %d rows, want 6 literature rows and ours", n)
			}
		}
	}
}

package kernel

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunSeeds runs the demo spec at two seeds: each seed its own record,
// tables with n=2, curves as a mean with a band; Load without Seeds still
// reads every seed's record.
func TestRunSeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo spec")
	}
	var buf bytes.Buffer
	Output = &buf
	defer func() { Output = nil }()
	opts := []Option{Scale("smoke"), Backend("purego"), OutDir(t.TempDir()), Quiet()}
	res, err := Run("experiments/demo/quickstart.toml", append(opts, Seeds(2))...)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Points != 8 || res.Ran != 8 || len(res.Records) != 8 {
		t.Fatalf("points %d ran %d records %d, want 8 (4 points x 2 seeds)", res.Points, res.Ran, len(res.Records))
	}
	if md := res.Tables[0].Markdown(); !strings.Contains(md, "(n=2)") {
		t.Errorf("table lacks n=2:\n%s", md)
	}
	loaded, err := Load("experiments/demo/quickstart.toml", opts...)
	if err != nil || len(loaded.Records) != 8 {
		t.Fatalf("Load: %d records, %v; want all 8", len(loaded.Records), err)
	}
	fig, err := loaded.Curves("train_loss")
	if err != nil {
		t.Fatal(err)
	}
	svg, err := fig.SVG()
	if err != nil || !strings.Contains(string(svg), "mean of 2 seeds, band min–max") {
		t.Errorf("curves over seeds lack the band label (%v)", err)
	}
}

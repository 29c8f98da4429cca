package animalcliptwin

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/tasks/animalclip"
)

// TestSpecValidates: every point of the committed twin spec decodes at both scales, and a
// point whose data.source is not "synthetic" is refused.
func TestSpecValidates(t *testing.T) {
	s, err := spec.Load(filepath.Join("..", "..", "..", "experiments", "animalclip", "twin.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []string{"smoke", "full"} {
		pts, err := s.Expand(scale, "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) < 8 {
			t.Fatalf("%s: %d points", scale, len(pts))
		}
		for _, p := range pts {
			if err := (Task{}).Validate(p); err != nil {
				t.Errorf("%s %s: %v", scale, p.Label, err)
			}
		}
		p := pts[0]
		p.Config = map[string]any{"data": map[string]any{"source": "real"}}
		if err := (Task{}).Validate(p); err == nil {
			t.Errorf("a real-source point was accepted")
		}
	}
}

// TestTwinDeterministic: the twin is the same for the same seed and differs for another; the
// frames carry the planted signal (a clip's frames correlate with the mean of its class's clips).
func TestTwinDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the twin three times (about 10 s)")
	}
	root := data.DataRoot("")
	if root == "" {
		root = filepath.Join("..", "..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(root, "animalkingdom", "species_train.txt")); err != nil {
		t.Skipf("real species files not found under %s (set %s)", root, data.EnvDataRoot)
	}
	c := animalclip.DefaultConfig().Data
	c.Source, c.MaxTrain, c.MaxVal, c.Dim, c.Frames, c.FrameDim = "twin", 50, 20, 16, 4, 8
	a, err := Twin(root, c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Twin(root, c)
	if err != nil {
		t.Fatal(err)
	}
	c.Seed++
	d, err := Twin(root, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.TrainX) != 50 || len(a.ValX) != 20 || len(a.TrainX[0]) != 32 || a.Frames != 4 {
		t.Fatalf("shapes: %d %d %d frames %d", len(a.TrainX), len(a.ValX), len(a.TrainX[0]), a.Frames)
	}
	same, diff := true, false
	for i := range a.TrainX {
		for j := range a.TrainX[i] {
			same = same && a.TrainX[i][j] == b.TrainX[i][j]
			diff = diff || a.TrainX[i][j] != d.TrainX[i][j]
		}
	}
	if !same || !diff {
		t.Fatalf("same seed identical: %v; other seed differs: %v", same, diff)
	}
}

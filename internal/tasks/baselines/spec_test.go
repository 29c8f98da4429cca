package baselines

import (
	"path/filepath"
	"testing"

	"github.com/actrepro/actrepro/internal/spec"
)

// TestSpec checks that the experiment spec of this task loads, expands at
// both scales and that every point validates.
func TestSpec(t *testing.T) {
	p := filepath.Join("..", "..", "..", "experiments", "animalkingdom", "text_baselines.toml")
	s, err := spec.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Experiment.Task != TaskName {
		t.Errorf("spec task %q, want %q", s.Experiment.Task, TaskName)
	}
	for _, scale := range []string{"smoke", "full"} {
		pts, err := s.Expand(scale, "test")
		if err != nil {
			t.Fatalf("%s: %v", scale, err)
		}
		if len(pts) != 2 {
			t.Errorf("%s: %d points, want 2", scale, len(pts))
		}
		for _, pt := range pts {
			if err := (Task{}).Validate(pt); err != nil {
				t.Errorf("%s %s: %v", scale, pt.Label, err)
			}
		}
	}
}

package animalclip

import (
	"path/filepath"
	"testing"

	"github.com/actrepro/actrepro/internal/spec"
)

// TestSpecValidates: every point of the committed spec decodes at both scales.
func TestSpecValidates(t *testing.T) {
	s, err := spec.Load(filepath.Join("..", "..", "..", "experiments", "animalclip", "leakage.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []string{"smoke", "full"} {
		pts, err := s.Expand(scale, "test")
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) < 10 {
			t.Fatalf("%s: %d points", scale, len(pts))
		}
		for _, p := range pts {
			if err := (Task{}).Validate(p); err != nil {
				t.Errorf("%s %s: %v", scale, p.Label, err)
			}
		}
	}
}

package ucf50

import (
	"testing"

	"github.com/actrepro/actrepro/internal/spec"
)

// TestTable1SpecValidates loads experiments/ucf50/table1.toml and checks
// every point of every scale with the task's strict validation.
func TestTable1SpecValidates(t *testing.T) {
	s, err := spec.Load("../../../experiments/ucf50/table1.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range s.ScaleNames() {
		points, err := s.Expand(scale, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(points) != 2 {
			t.Errorf("scale %s: %d points, want 2 (convlstm, lrcn)", scale, len(points))
		}
		for _, p := range points {
			if err := (Task{}).Validate(p); err != nil {
				t.Errorf("scale %s point %s: %v", scale, p.Label, s.Locate(p, err))
			}
			c, _ := ParseConfig(p)
			if scale == "tutorial" && c.Train.Epochs != map[string]int{ModelConvLSTM: 50, ModelLRCN: 70}[c.Model.Name] {
				t.Errorf("tutorial %s: %d epochs", c.Model.Name, c.Train.Epochs)
			}
		}
	}
}

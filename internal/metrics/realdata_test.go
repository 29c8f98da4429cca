package metrics

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadRealTHUMOSGroundTruth reads the real THUMOS'14 annotation files of
// the data root (both the ActionFormer file with numeric segments and the
// ActivityNet-style file with string segments) and checks that ground truth
// scored against itself has mAP 1 at every threshold.
func TestReadRealTHUMOSGroundTruth(t *testing.T) {
	root := os.Getenv("ACTREPRO_DATA")
	if root == "" {
		t.Skip("ACTREPRO_DATA is not set: skipping the real THUMOS'14 annotation test (make test sets it to ../shared/data)")
	}
	for _, tc := range []struct {
		file, subset string
	}{
		{"thumos14/thumos14.json", "test"},
		{"thumos14/thumos_gt.json", ""},
	} {
		path := filepath.Join(root, tc.file)
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			t.Logf("%s is absent: skipped", path)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		gt, err := ReadActivityNetGT(f, path, tc.subset)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		pred := make([]Detection, len(gt))
		for i, g := range gt {
			pred[i] = Detection{Video: g.Video, Label: g.Label, Start: g.Start, End: g.End, Score: 1}
		}
		r, err := DetectionMAP(gt, pred, []float64{0.3, 0.5, 0.7})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Classes) != 20 {
			t.Errorf("%s: %d classes, THUMOS'14 detection has 20", path, len(r.Classes))
		}
		for i, m := range r.MAP {
			if !agrees(m, 1) {
				t.Errorf("%s: ground truth against itself mAP@%v = %v, want 1", path, r.TIoU[i], m)
			}
		}
		t.Logf("%s: %d instances, %d classes", path, len(gt), len(r.Classes))
	}
}

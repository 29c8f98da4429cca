package detfeat

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/npy"
)

// Compile-time checks: both sources implement Source.
var (
	_ Source = (*Real)(nil)
	_ Source = (*Twin)(nil)
)

type fakeVideo struct {
	id, subset string
	fps        float64
	frames     int
	segs       [][3]any // label, start, end
}

// fakeVideos are three small THUMOS-like videos (frame counts as in AFSD's
// video info files: a 30 fps video of 1,012 frames has (1012−16)/4+1 = 250
// I3D steps).
var fakeVideos = []fakeVideo{
	{"video_validation_0000001", "Validation", 30, 1012, [][3]any{{"HighJump", 2.0, 5.5}, {"HighJump", 20.0, 24.0}}},
	{"video_test_0000001", "Test", 25, 600, [][3]any{{"LongJump", 3.0, 9.0}}},
	{"video_test_0000002", "Test", 30, 420, [][3]any{{"HighJump", 1.0, 2.0}, {"LongJump", 6.0, 8.5}}},
}

// writeTHUMOSRoot writes a data root with thumos14/thumos14.json, the two
// video info files and test_Annotation.csv (with one Ambiguous row) for
// fakeVideos. It returns the root.
func writeTHUMOSRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, data.THUMOSDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := map[string]any{}
	info := map[string][]string{"val": {"video,fps,sample_fps,count,sample_count"}, "test": {"video,fps,sample_fps,count,sample_count"}}
	ann := []string{"video,type,type_idx,start,end,startFrame,endFrame"}
	ids := map[string]int{"HighJump": 11, "LongJump": 13}
	for _, v := range fakeVideos {
		var anns []map[string]any
		for _, s := range v.segs {
			anns = append(anns, map[string]any{"label": s[0], "segment": []any{s[1], s[2]}, "label_id": ids[s[0].(string)]})
			ann = append(ann, fmt.Sprintf("%s,%s,40,%v,%v,0,0", v.id, s[0], s[1], s[2]))
		}
		db[v.id] = map[string]any{"subset": v.subset, "duration": float64(v.frames) / v.fps, "fps": v.fps, "annotations": anns}
		short := "val"
		if v.subset == "Test" {
			short = "test"
		}
		info[short] = append(info[short], fmt.Sprintf("%s,%v,10.0,%d.0,%d", v.id, v.fps, v.frames, int(float64(v.frames)*10/v.fps)))
	}
	ann = append(ann, "video_test_0000001,Ambiguous,0,12.0,14.0,300,350")
	b, _ := json.Marshal(map[string]any{"version": "test", "database": db})
	must(t, os.WriteFile(filepath.Join(dir, data.THUMOSActionFormer), b, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, data.THUMOSValInfo), []byte(strings.Join(info["val"], "\n")+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, data.THUMOSTestInfo), []byte(strings.Join(info["test"], "\n")+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, data.THUMOSTestAnnotation), []byte(strings.Join(ann, "\n")+"\n"), 0o644))
	return root
}

// writeFeatures writes <root>/thumos14/i3d_features/<id>.npy, [steps, 2048]
// float32 in the published layout, value = 1000·step + channel/1000 so
// that a test can tell which step and channel it got; delta changes
// the length of every file.
func writeFeatures(t *testing.T, root string, delta int) {
	t.Helper()
	dir := filepath.Join(root, data.THUMOSDir, THUMOSFeatureDir)
	must(t, os.MkdirAll(dir, 0o755))
	for _, v := range fakeVideos {
		steps := THUMOSI3D.Steps(v.frames) + delta
		d := make([]float32, steps*THUMOSChannels)
		for i := 0; i < steps; i++ {
			for j := 0; j < THUMOSChannels; j++ {
				d[i*THUMOSChannels+j] = float32(1000*i) + float32(j)/1000
			}
		}
		a, err := npy.NewFloat32([]int{steps, THUMOSChannels}, d)
		must(t, err)
		must(t, npy.WriteFile(filepath.Join(dir, v.id+".npy"), a))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dataRoot is $ACTREPRO_DATA, or skips the test.
func dataRoot(t *testing.T) string {
	root := os.Getenv(data.EnvDataRoot)
	if root == "" {
		t.Skip("ACTREPRO_DATA is not set: skipping the test on the real THUMOS14 annotations")
	}
	if _, err := os.Stat(filepath.Join(root, data.THUMOSDir, data.THUMOSActionFormer)); err != nil {
		t.Skipf("no %s under %s", data.THUMOSActionFormer, root)
	}
	return root
}

package anet

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data/npy"
)

const goodJSON = `{"version": "VERSION 1.3",
 "taxonomy": [{"parentName": null, "nodeName": "Root", "nodeId": 0, "parentId": null},
              {"parentName": "Root", "nodeName": "Sports", "nodeId": 1, "parentId": 0},
              {"parentName": "Sports", "nodeName": "Long jump", "nodeId": 2, "parentId": 1},
              {"parentName": "Sports", "nodeName": "Javelin throw", "nodeId": 3, "parentId": 1}],
 "database": {
  "bbb": {"duration": 20.0, "subset": "validation", "resolution": "640x360", "url": "u", "annotations": [{"segment": [2.0, 25.0], "label": "Javelin throw"}]},
  "aaa": {"duration": 10.0, "subset": "training", "resolution": "640x360", "url": "u", "annotations": [{"segment": [1.0, 4.0], "label": "Long jump"}, {"segment": [5.5, 9.0], "label": "Long jump"}]},
  "ccc": {"duration": 30.0, "subset": "testing", "resolution": "640x360", "url": "u", "annotations": []}}}`

func writeRoot(t *testing.T, js string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, Dir, FeatureDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, Dir, AnnotationFile), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func writeNPY(t *testing.T, path string, shape []int, f func(i int) float32) {
	t.Helper()
	n := shape[0] * shape[1]
	d := make([]float32, n)
	for i := range d {
		d[i] = f(i)
	}
	a, err := npy.NewFloat32(shape, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := npy.WriteFile(path, a); err != nil {
		t.Fatal(err)
	}
}

func TestReadAnnotations(t *testing.T) {
	a, err := LoadAnnotations(writeRoot(t, goodJSON))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a.Classes, "|"); got != "Javelin throw|Long jump" {
		t.Errorf("classes %q (the taxonomy's leaves)", got)
	}
	if len(a.Videos) != 3 || a.Videos[0].ID != "aaa" || a.Videos[2].ID != "ccc" {
		t.Fatalf("videos %+v", a.Videos)
	}
	if tr := a.Subset(Training); len(tr) != 1 || len(tr[0].Segments) != 2 || tr[0].Segments[1] != (Segment{5.5, 9, "Long jump"}) {
		t.Errorf("training %+v", tr)
	}
	// A segment past the video's end is clipped to its duration.
	if v := a.Subset(Validation); len(v) != 1 || v[0].Segments[0].End != 20 {
		t.Errorf("validation %+v", v)
	}
}

func TestReadAnnotationsErrors(t *testing.T) {
	cases := []struct {
		name, from, to, want string
	}{
		{"bad subset", `"subset": "testing"`, `"subset": "test"`, "database.ccc.subset"},
		{"no duration", `"duration": 10.0, `, ``, "database.aaa.duration"},
		{"unknown label", `"label": "Javelin throw"`, `"label": "Sports"`, "database.bbb.annotations[0].label"},
		{"empty after clipping", `[2.0, 25.0]`, `[21.0, 25.0]`, "database.bbb.annotations[0].segment"},
		{"not json", `"database": {`, `"database": [`, AnnotationFile},
	}
	for _, c := range cases {
		js := strings.Replace(goodJSON, c.from, c.to, 1)
		if js == goodJSON {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		_, err := LoadAnnotations(writeRoot(t, js))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		}
	}
	if _, err := LoadAnnotations(t.TempDir()); err == nil || !strings.Contains(err.Error(), AnnotationFile) {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadFeatures(t *testing.T) {
	root := writeRoot(t, goodJSON)
	fdir := filepath.Join(root, Dir, FeatureDir)
	// 5 steps of 2 s over a 10 s video, channel 0 = step index, channel 1 = 10·step.
	writeNPY(t, filepath.Join(fdir, "v_aaa.npy"), []int{5, 2}, func(i int) float32 { return float32((i / 2) * (1 + 9*(i%2))) })
	v := Video{ID: "aaa", Duration: 10}
	f, c, err := ReadFeatures(fdir, v, 10, 2)
	if err != nil || c != 2 || len(f) != 20 {
		t.Fatalf("%v %d %d", err, c, len(f))
	}
	// Frame k at k s; step t centred at 2t+1 s: frame 0 clamps to step 0, frame 2 is at 0.5,
	// frame 9 at 4 (the last centre).
	for k, want := range map[int]float64{0: 0, 1: 0, 2: 0.5, 5: 2, 9: 4} {
		if math.Abs(float64(f[2*k])-want) > 1e-6 || math.Abs(float64(f[2*k+1])-10*want) > 1e-5 {
			t.Errorf("frame %d: %v %v, want %v", k, f[2*k], f[2*k+1], want)
		}
	}
	// <id>.npy is accepted when v_<id>.npy is absent.
	writeNPY(t, filepath.Join(fdir, "bbb.npy"), []int{3, 2}, func(i int) float32 { return 1 })
	if _, _, err := ReadFeatures(fdir, Video{ID: "bbb", Duration: 20}, Steps, 0); err != nil {
		t.Error(err)
	}
	writeNPY(t, filepath.Join(fdir, "v_nan.npy"), []int{3, 2}, func(i int) float32 { return float32(math.NaN()) })
	writeNPY(t, filepath.Join(fdir, "v_flat.npy"), []int{1, 6}, func(i int) float32 { return 1 })
	if err := os.WriteFile(filepath.Join(fdir, "v_junk.npy"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		id   string
		dim  int
		want string
	}{
		{"missing", 0, "v_missing.npy"},
		{"aaa", 3, "2 channels, want 3"},
		{"nan", 0, "is NaN"},
		{"junk", 0, "v_junk.npy"},
	}
	for _, b := range bad {
		_, _, err := ReadFeatures(fdir, Video{ID: b.id, Duration: 10}, 8, b.dim)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want %q", b.id, err, b.want)
		}
	}
}

func TestTwinReproducible(t *testing.T) {
	c := DefaultTwinConfig()
	c.Train, c.Val, c.Dim = 6, 3, 4
	read := func(root string) map[string][]byte {
		out := map[string][]byte{}
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(root, p)
				out[rel] = b
			}
			return nil
		})
		return out
	}
	a, b, d := t.TempDir(), t.TempDir(), t.TempDir()
	for _, r := range []string{a, b} {
		if err := WriteTwin(r, c); err != nil {
			t.Fatal(err)
		}
	}
	c2 := c
	c2.Seed = 2
	if err := WriteTwin(d, c2); err != nil {
		t.Fatal(err)
	}
	fa, fb, fd := read(a), read(b), read(d)
	if len(fa) != 1+9 || len(fa) != len(fb) {
		t.Fatalf("%d and %d files, want 10", len(fa), len(fb))
	}
	for k, v := range fa {
		if !bytes.Equal(v, fb[k]) {
			t.Errorf("%s differs between two writes with the same seed", k)
		}
	}
	if bytes.Equal(fa[filepath.Join(Dir, AnnotationFile)], fd[filepath.Join(Dir, AnnotationFile)]) {
		t.Error("seeds 1 and 2 wrote the same annotations")
	}
}

// TestTwinSchema: the twin reads back through the reader with the official schema's shape:
// 200 taxonomy leaves, 1-3 long segments of one class per video, features of the right length.
func TestTwinSchema(t *testing.T) {
	c := DefaultTwinConfig()
	c.Train, c.Val, c.Dim = 40, 10, 4
	root := t.TempDir()
	if err := WriteTwin(root, c); err != nil {
		t.Fatal(err)
	}
	a, err := LoadAnnotations(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Classes) != 200 || a.Classes[0] != TwinClass(0) {
		t.Errorf("%d classes, first %q", len(a.Classes), a.Classes[0])
	}
	if len(a.Subset(Training)) != 40 || len(a.Subset(Validation)) != 10 {
		t.Errorf("subsets %d / %d", len(a.Subset(Training)), len(a.Subset(Validation)))
	}
	cover := 0.0
	for _, v := range a.Videos {
		if len(v.Segments) < 1 || len(v.Segments) > 3 || v.Duration < 12 || v.Duration > 600 {
			t.Errorf("%s: %d segments, %g s", v.ID, len(v.Segments), v.Duration)
		}
		in := 0.0
		for _, s := range v.Segments {
			in += s.End - s.Start
			if s.Label != v.Segments[0].Label {
				t.Errorf("%s: two classes", v.ID)
			}
		}
		cover += in / v.Duration
		f, ch, err := ReadFeatures(filepath.Join(root, Dir, FeatureDir), v, Steps, 2*c.Dim)
		if err != nil || ch != 8 || len(f) != Steps*8 {
			t.Fatalf("%s: %v %d %d", v.ID, err, ch, len(f))
		}
	}
	if m := cover / float64(len(a.Videos)); m < 0.4 || m > 0.9 {
		t.Errorf("mean coverage %.2f, want ActivityNet's long instances (0.4-0.9)", m)
	}
	if err := WriteTwin(root, TwinConfig{}); err == nil {
		t.Error("zero config accepted")
	}
}

package data

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data/npy"
)

// smallUCF101 is a 2-class UCF101 with one split: 3 training and 2 test videos (including the
// official HandstandPushups file-name quirk).
func smallUCF101(t *testing.T) *UCF101 {
	t.Helper()
	dir := writeFiles(t, map[string]string{
		"classInd.txt": "1 ApplyEyeMakeup\r\n2 HandstandPushups\r\n",
		"trainlist01.txt": "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\n" +
			"ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c02.avi 1\nHandstandPushups/v_HandStandPushups_g09_c01.avi 2\n",
		"testlist01.txt": "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi\nHandstandPushups/v_HandStandPushups_g01_c04.avi\n",
	})
	u, err := LoadUCF101(dir)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func smallTwinOptions() FeatureTwinOptions {
	o := DefaultFeatureTwinOptions()
	o.Dim, o.MinSteps, o.MaxSteps = 3, 4, 7
	return o
}

// TestUCF101FeaturesBothLayouts writes the twin in both layouts and reads every video back
// exactly, RGB in the first D channels and flow in the last D.
func TestUCF101FeaturesBothLayouts(t *testing.T) {
	u := smallUCF101(t)
	tw, err := NewFeatureTwin(u, smallTwinOptions())
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]UCFVideo(nil), u.Train[0]...), u.Test[0]...)
	for _, layout := range []string{LayoutJoint, LayoutStreams} {
		t.Run(layout, func(t *testing.T) {
			dir := t.TempDir()
			if err := tw.WriteFeatureTwin(dir, layout, all); err != nil {
				t.Fatal(err)
			}
			f, err := OpenUCF101Features(dir, u)
			if err != nil {
				t.Fatal(err)
			}
			if f.Layout != layout {
				t.Errorf("layout %q, want %q", f.Layout, layout)
			}
			for _, v := range all {
				got, err := f.Load(v)
				if err != nil {
					t.Fatal(err)
				}
				want := tw.Video(v).Steps
				if len(got) != len(want) || len(got[0]) != 6 {
					t.Fatalf("%s: [%d, %d], want [%d, 6]", v.Path, len(got), len(got[0]), len(want))
				}
				for s := range want {
					for i := range want[s] {
						if got[s][i] != want[s][i] {
							t.Fatalf("%s step %d channel %d: %v, want %v", v.Path, s, i, got[s][i], want[s][i])
						}
					}
				}
			}
		})
	}
}

// TestUCF101FeaturesErrors: each defect of a feature directory is an error naming the file or
// video.
func TestUCF101FeaturesErrors(t *testing.T) {
	u := smallUCF101(t)
	tw, err := NewFeatureTwin(u, smallTwinOptions())
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]UCFVideo(nil), u.Train[0]...), u.Test[0]...)
	write := func(t *testing.T, p string, rows, cols int) {
		m := make([][]float32, rows)
		for i := range m {
			m[i] = make([]float32, cols)
		}
		a, err := npy.FromMatrix(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := npy.WriteFile(p, a); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		layout string
		edit   func(t *testing.T, dir string)
		want   string
	}{
		{"missing joint", LayoutJoint, func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "ApplyEyeMakeup", "v_ApplyEyeMakeup_g01_c01.npy"))
		}, "/" + filepath.Join("ApplyEyeMakeup", "v_ApplyEyeMakeup_g01_c01.npy") + " for video ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01 (listed in testlist01.txt)"},
		{"extra video", LayoutJoint, func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "ApplyEyeMakeup", "v_ApplyEyeMakeup_g30_c01.npy"), 3, 6)
		}, "/" + filepath.Join("ApplyEyeMakeup", "v_ApplyEyeMakeup_g30_c01.npy") + ": no video of the split lists"},
		{"missing flow", LayoutStreams, func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "HandstandPushups", "v_HandStandPushups_g09_c01_flow.npy"))
		}, "v_HandStandPushups_g09_c01_flow.npy for video HandstandPushups/v_HandStandPushups_g09_c01 (listed in trainlist01.txt)"},
		{"mixed layouts", LayoutStreams, func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "ApplyEyeMakeup", "v_ApplyEyeMakeup_g08_c01.npy"), 3, 6)
		}, "mixes layouts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tw.WriteFeatureTwin(dir, c.layout, all); err != nil {
				t.Fatal(err)
			}
			c.edit(t, dir)
			_, err := OpenUCF101Features(dir, u)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	// Load-time shape errors.
	dir := t.TempDir()
	if err := tw.WriteFeatureTwin(dir, LayoutStreams, all); err != nil {
		t.Fatal(err)
	}
	v := u.Test[0][0]
	write(t, filepath.Join(dir, "ApplyEyeMakeup", "v_ApplyEyeMakeup_g01_c01_flow.npy"), 2, 3)
	f, err := OpenUCF101Features(dir, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Load(v); err == nil || !strings.Contains(err.Error(), "v_ApplyEyeMakeup_g01_c01_flow.npy: shape [2, 3], but") {
		t.Errorf("load error %v", err)
	}
}

// TestFeatureTwinPlantsWindow: the twin is deterministic, its lengths stay in range, and the
// class signal is in the window: the window's mean lies closer to the class direction than the
// background steps' mean does.
func TestFeatureTwinPlantsWindow(t *testing.T) {
	u := smallUCF101(t)
	o := smallTwinOptions()
	o.Dim, o.MinSteps, o.MaxSteps, o.Signal, o.FlowSignal = 64, 10, 20, 1, 1
	tw, err := NewFeatureTwin(u, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range u.Train[0] {
		a, b := tw.Video(v), tw.Video(v)
		if len(a.Steps) < o.MinSteps || len(a.Steps) > o.MaxSteps || a.End <= a.Start || a.End > len(a.Steps) {
			t.Errorf("%s: T=%d window [%d, %d)", v.Path, len(a.Steps), a.Start, a.End)
		}
		if a.Steps[0][0] != b.Steps[0][0] || a.Start != b.Start {
			t.Errorf("%s: not deterministic", v.Path)
		}
		mu := tw.class[v.Class]
		cos := func(lo, hi int) float64 {
			var dot, nn, nm float64
			for i := range mu {
				m := 0.0
				for s := lo; s < hi; s++ {
					m += float64(a.Steps[s][i])
				}
				dot += m * mu[i]
				nn += m * m
				nm += mu[i] * mu[i]
			}
			return dot / math.Sqrt(nn*nm)
		}
		in := cos(a.Start, a.End)
		if in < 0.5 {
			t.Errorf("%s: window mean has cosine %.2f with its class direction, want >= 0.5", v.Path, in)
		}
		if a.Start > 0 {
			if out := cos(0, a.Start); math.Abs(out) > 0.4 {
				t.Errorf("%s: background mean has cosine %.2f with the class direction, want |.| <= 0.4", v.Path, out)
			}
		}
	}
	if _, err := NewFeatureTwin(u, FeatureTwinOptions{}); err == nil || !strings.Contains(err.Error(), "dim must be") {
		t.Errorf("zero options: %v", err)
	}
}

// TestFeatureTwinRealSplits: on the real split lists the twin has the real videos and splits.
func TestFeatureTwinRealSplits(t *testing.T) {
	root := realRoot(t, UCF101Dir)
	u, err := LoadUCF101(filepath.Join(root, UCF101Dir))
	if err != nil {
		t.Fatal(err)
	}
	tw, err := NewFeatureTwin(u, DefaultFeatureTwinOptions())
	if err != nil {
		t.Fatal(err)
	}
	v := u.Test[0][0]
	if v.Path != "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi" || len(tw.Video(v).Steps[0]) != 128 {
		t.Errorf("first test video %s, width %d", v.Path, len(tw.Video(v).Steps[0]))
	}
}

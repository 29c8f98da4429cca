package detfeat

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/npy"
)

func TestOpenTHUMOS14Streams(t *testing.T) {
	root := writeTHUMOSRoot(t)
	writeFeatures(t, root, 0)
	for _, tc := range []struct {
		stream Stream
		dim    int
		first  float32 // channel 0 of the selection at step 0
	}{
		{Both, 2048, 0},
		{RGB, 1024, 0},
		{Flow, 1024, 1.024}, // channel 1024 of the file
	} {
		r, err := OpenTHUMOS14(root, Options{Stream: tc.stream})
		if err != nil {
			t.Fatalf("%s: %v", tc.stream, err)
		}
		info := r.Info()
		if info.Dim != tc.dim || info.Synthetic || info.Kind != "i3d" || info.Stream != tc.stream {
			t.Errorf("%s: info %+v", tc.stream, info)
		}
		if got := info.Banner(); got != "real I3D features, real ground truth" {
			t.Errorf("banner %q", got)
		}
		if len(r.Videos()) != 3 || len(Subset(r, "test")) != 2 {
			t.Errorf("%s: %d videos, %d test", tc.stream, len(r.Videos()), len(Subset(r, "test")))
		}
		f, err := r.Features("video_validation_0000001")
		if err != nil {
			t.Fatal(err)
		}
		if f.T != 250 || f.D != tc.dim || len(f.Data) != f.T*f.D {
			t.Errorf("%s: [%d, %d] with %d values, want [250, %d]", tc.stream, f.T, f.D, len(f.Data), tc.dim)
		}
		if f.Row(0)[0] != tc.first || f.Row(3)[1] != 3000+tc.first+0.001 {
			t.Errorf("%s: row 0 starts %v, row 3 channel 1 %v", tc.stream, f.Row(0)[0], f.Row(3)[1])
		}
		// step i is centred at (4i + 8)/fps
		for _, i := range []int{0, 1, 249} {
			if want := float64(4*i+8) / 30; math.Abs(f.Time(i)-want) > 1e-12 {
				t.Errorf("time(%d) = %v, want %v", i, f.Time(i), want)
			}
		}
	}
	r, err := OpenTHUMOS14(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.Features("video_test_0000001") // 25 fps
	if err != nil {
		t.Fatal(err)
	}
	if f.Offset != 8.0/25 || f.Step != 4.0/25 {
		t.Errorf("25 fps video: offset %v step %v", f.Offset, f.Step)
	}
	v, _ := findVideo(r.Videos(), "video_test_0000001")
	if len(v.Ambiguous) != 1 || v.Ambiguous[0].Start != 12 || len(v.Segments) != 1 {
		t.Errorf("video_test_0000001: %d segments, ambiguous %+v", len(v.Segments), v.Ambiguous)
	}
	if err := r.Verify(); err != nil {
		t.Error(err)
	}
}

func TestOpenTHUMOS14LengthCheck(t *testing.T) {
	for _, tc := range []struct {
		delta int
		ok    bool
	}{{-2, true}, {2, true}, {-3, false}, {3, false}, {40, false}} {
		root := writeTHUMOSRoot(t)
		writeFeatures(t, root, tc.delta)
		r, err := OpenTHUMOS14(root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Features("video_test_0000002")
		if tc.ok != (err == nil) {
			t.Fatalf("delta %d: err %v", tc.delta, err)
		}
		if err != nil {
			for _, want := range []string{filepath.Join("i3d_features", "video_test_0000002.npy"), "420 frames", "video_info"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("delta %d: error %q does not say %q", tc.delta, err, want)
				}
			}
		}
	}
}

func TestOpenTHUMOS14Errors(t *testing.T) {
	root := writeTHUMOSRoot(t)
	// no feature directory: ErrNotPresent
	if _, err := OpenTHUMOS14(root, Options{}); !errors.Is(err, ErrNotPresent) || !strings.Contains(err.Error(), "i3d_features") {
		t.Errorf("no features: %v", err)
	}
	// no thumos14.json: ErrNotPresent
	if _, err := OpenTHUMOS14(t.TempDir(), Options{}); !errors.Is(err, ErrNotPresent) || !strings.Contains(err.Error(), "thumos14.json") {
		t.Errorf("no annotations: %v", err)
	}
	writeFeatures(t, root, 0)
	if _, err := OpenTHUMOS14(root, Options{Stream: "depth"}); err == nil || !strings.Contains(err.Error(), "depth") {
		t.Errorf("bad stream: %v", err)
	}
	// a missing file is an error naming the video, unless SkipMissing
	must(t, os.Remove(filepath.Join(root, data.THUMOSDir, THUMOSFeatureDir, "video_test_0000002.npy")))
	if _, err := OpenTHUMOS14(root, Options{}); err == nil || !strings.Contains(err.Error(), "video_test_0000002") {
		t.Errorf("missing file: %v", err)
	}
	r, err := OpenTHUMOS14(root, Options{SkipMissing: true})
	if err != nil || len(r.Videos()) != 2 {
		t.Fatalf("SkipMissing: %v", err)
	}
	if _, err := r.Features("video_test_0000002"); err == nil {
		t.Error("features of a skipped video: no error")
	}
	// a file of the wrong width names the file
	p := filepath.Join(root, data.THUMOSDir, THUMOSFeatureDir, "video_test_0000001.npy")
	a, _ := npy.NewFloat32([]int{146, 1024}, make([]float32, 146*1024))
	must(t, npy.WriteFile(p, a))
	if _, err := r.Features("video_test_0000001"); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "2048") {
		t.Errorf("wrong width: %v", err)
	}
}

func TestOpenActivityNetNotPresent(t *testing.T) {
	root := t.TempDir()
	_, err := OpenActivityNet(root, Options{})
	if !errors.Is(err, ErrNotPresent) || !strings.Contains(err.Error(), "activity_net.v1-3.min.json") {
		t.Errorf("no annotation file: %v", err)
	}
	if _, err := NewActivityNetTwin(root, DefaultTwinConfig()); !errors.Is(err, ErrNotPresent) {
		t.Errorf("twin without annotation file: %v", err)
	}
}

func TestOpenActivityNet(t *testing.T) {
	root := t.TempDir()
	// the synthetic ground truth of `actrepro synth activitynet`
	if _, err := data.WriteSynthActivityNet(root, data.SynthOptions{Seed: 3, Scale: data.ScaleSmoke}); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenActivityNet(root, Options{}); !errors.Is(err, ErrNotPresent) {
		t.Errorf("no feature directory: %v", err)
	}
	tw, err := NewActivityNetTwin(root, smallTwin())
	if err != nil {
		t.Fatal(err)
	}
	info := tw.Info()
	if !info.SyntheticGT || info.Banner() != "synthetic features, synthetic ground truth" || len(info.Classes) == 0 {
		t.Errorf("twin info %+v", info)
	}
	// real-layout features for two videos, SkipMissing for the others
	vs := tw.Videos()
	dir := filepath.Join(root, data.ActivityNetDir, ActivityNetFeatureDir)
	must(t, os.MkdirAll(dir, 0o755))
	for _, v := range vs[:2] {
		a, _ := npy.NewFloat32([]int{v.Steps, 2048}, make([]float32, v.Steps*2048))
		must(t, npy.WriteFile(filepath.Join(dir, "v_"+v.ID+".npy"), a))
	}
	if _, err := OpenActivityNet(root, Options{}); err == nil || !strings.Contains(err.Error(), "have no file") {
		t.Errorf("missing files: %v", err)
	}
	r, err := OpenActivityNet(root, Options{SkipMissing: true, Stream: Flow})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Videos()) != 2 || r.Info().Dim != 1024 || !r.Info().SyntheticGT {
		t.Errorf("%d videos, info %+v", len(r.Videos()), r.Info())
	}
	f, err := r.Features(vs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Step != 16.0/25 || f.D != 1024 {
		t.Errorf("step %v, D %d", f.Step, f.D)
	}
}

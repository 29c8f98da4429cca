package animalmotionclip

import (
	"math"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/runner"
)

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		key  string
		val  any
		want string
	}{
		{"model.scheme", "strided", `model.scheme: sampling: unknown scheme "strided"`},
		{"model.modality", "depth", `model.modality: want "rgb", "flow" or "rgb+flow"`},
		{"model.m", int64(0), "model.m: must be 1..64"},
		{"model.p", int64(0), "model.p: must be 1..256"},
		{"model.patch", int64(5), "model.patch: must divide data.frame_size 32"},
		{"model.stem", int64(-1), "model.stem: must be 0..256, got -1"},
		{"model.width", int64(30), "model.width: must be a positive multiple of model.heads 4"},
		{"model.threshold", 1.0, "model.threshold: must be in (0, 1)"},
		{"data.frame_size", int64(128), "data.frame_size: must be 4..decode_size (64)"},
		{"data.text", "summary", `data.text: want "name" or "description"`},
		{"data.flow_max", -1.0, "data.flow_max: must be >= 0"},
		{"train.learning_rate", 0.0, "train.learning_rate: must be in (0, 10)"},
		{"model.depth", int64(2), "model.depth: unknown key"},
	}
	for _, c := range cases {
		cfg := map[string]any{
			"data":  map[string]any{"dataset": "animalkingdom", "source": "synthetic"},
			"model": map[string]any{}, "train": map[string]any{},
		}
		root, leaf, _ := strings.Cut(c.key, ".")
		cfg[root].(map[string]any)[leaf] = c.val
		err := Task{}.Validate(runner.Point{Config: cfg})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%v: error %v, want %q", c.key, c.val, err, c.want)
		}
	}
	ok := map[string]any{"data": map[string]any{"dataset": "animalkingdom", "source": "synthetic"}}
	if err := (Task{}).Validate(runner.Point{Config: ok}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestTableDecodeErrors(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"data":  map[string]any{"dataset": "animalkingdom", "source": "synthetic", "from": "amclip-runs", "runs": "x.toml"},
			"model": map[string]any{"scheme": "sparse", "modality": "rgb"},
		}
	}
	cases := []struct {
		key  string
		val  any
		want string
	}{
		{"model.scheme", "every", "model.scheme: sampling: unknown scheme"},
		{"model.modality", "audio", `model.modality: want "rgb", "flow" or "rgb+flow"`},
		{"data.seeds", int64(0), "data.seeds: must be >= 1"},
		{"data.epochs", int64(3), "data.epochs: unknown key"},
	}
	for _, c := range cases {
		cfg := base()
		root, leaf, _ := strings.Cut(c.key, ".")
		cfg[root].(map[string]any)[leaf] = c.val
		err := TableTask{}.Validate(runner.Point{Config: cfg})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%v: error %v, want %q", c.key, c.val, err, c.want)
		}
	}
}

// TestFillInterleaves: classifier m's frames are its selected RGB frames ("rgb"), their flow
// images ("flow") or both interleaved I_t1 F_t1 I_t2 F_t2 ... ("rgb+flow"), scaled to [0, 1];
// with data.flow_invert the flow images (only they) enter as 1 − image.
func TestFillInterleaves(t *testing.T) {
	const s, T = 2, 5
	n := s * s * 3
	clip := &Clip{T: T, RGB: make([]uint8, T*n), Flow: make([]uint8, T*n)}
	for f := range T {
		for i := range n {
			clip.RGB[f*n+i] = uint8(10 * f)      // frame f's RGB pixels are 10f
			clip.Flow[f*n+i] = uint8(100 + 10*f) // its flow image's are 100+10f
		}
	}
	sel := [][]int{{0, 3}, {1, 4}}
	cases := []struct {
		modality string
		invert   bool
		want     []float32 // first pixel of each frame, classifier by classifier, times 255
	}{
		{ModalityRGB, false, []float32{0, 30, 10, 40}},
		{ModalityFlow, false, []float32{100, 130, 110, 140}},
		{ModalityBoth, false, []float32{0, 100, 30, 130, 10, 110, 40, 140}},
		{ModalityRGB, true, []float32{0, 30, 10, 40}},
		{ModalityFlow, true, []float32{155, 125, 145, 115}},
		{ModalityBoth, true, []float32{0, 155, 30, 125, 10, 145, 40, 115}},
	}
	for _, c := range cases {
		m := Model{Modality: c.modality, P: 2}
		dst := make([]float32, len(sel)*m.Frames()*n)
		fillClip(dst, m, c.invert, clip, sel, s)
		for k, w := range c.want {
			for i := range n {
				if got := dst[k*n+i]; math.Abs(float64(got-w/255)) > 1e-6 {
					t.Fatalf("%s invert=%v: frame %d pixel %d = %v, want %v/255", c.modality, c.invert, k, i, got, w)
				}
			}
		}
	}
}

// TestAreaResize: a 4×4 image of 2×2 blocks halves to the blocks' colours; a uniform image
// stays uniform at a non-integer factor.
func TestAreaResize(t *testing.T) {
	img := make([]uint8, 4*4*3)
	for y := range 4 {
		for x := range 4 {
			v := uint8(40*(y/2) + 10*(x/2))
			for ch := range 3 {
				img[(y*4+x)*3+ch] = v
			}
		}
	}
	got := AreaResize(img, 4, 4, 2, 2)
	for i, want := range []uint8{0, 10, 40, 50} {
		if got[i*3] != want {
			t.Errorf("pixel %d = %d, want %d", i, got[i*3], want)
		}
	}
	flat := make([]uint8, 5*5*3)
	for i := range flat {
		flat[i] = 77
	}
	for i, v := range AreaResize(flat, 5, 5, 3, 3) {
		if v != 77 {
			t.Fatalf("uniform image: byte %d = %d", i, v)
		}
	}
}

package artemis

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
)

const helperTol = 1e-6

// flat returns a float32 tensor's values.
var flat = fixturetest.Flat

func TestAdaptivePoolMatrix(t *testing.T) {
	// Windows of torch.nn.functional.adaptive_avg_pool1d (start = floor(i*T/t),
	// end = ceil((i+1)*T/t)), written out by hand.
	cases := []struct {
		T, t int
		want []float32
	}{
		{5, 2, []float32{1. / 3, 1. / 3, 1. / 3, 0, 0, 0, 0, 1. / 3, 1. / 3, 1. / 3}},
		{4, 2, []float32{.5, .5, 0, 0, 0, 0, .5, .5}},
		{2, 3, []float32{1, 0, .5, .5, 0, 1}},
	}
	for _, c := range cases {
		got := flat(adaptivePoolMatrix(c.T, c.t))
		for i := range c.want {
			if math.Abs(float64(got[i]-c.want[i])) > helperTol {
				t.Errorf("T=%d t=%d: %v, want %v", c.T, c.t, got, c.want)
				break
			}
		}
	}
}

func TestSinusoidalPE(t *testing.T) {
	// PE(p, 2i) = sin(p / 10000^(2i/E)), PE(p, 2i+1) = cos(...): E = 4, p = 1:
	// sin(1), cos(1), sin(1/100), cos(1/100).
	got := flat(sinusoidalPE(2, 4))
	want := []float64{0, 1, 0, 1, math.Sin(1), math.Cos(1), math.Sin(0.01), math.Cos(0.01)}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > helperTol {
			t.Fatalf("PE = %v, want %v", got, want)
		}
	}
}

func TestShiftAndSelect(t *testing.T) {
	// (x M)_j = x_{j+d}: for x = [1 2 3], d = -1 gives [0 1 2], d = +1 gives [2 3 0].
	x := []float32{1, 2, 3}
	for _, c := range []struct {
		d    int
		want []float32
	}{{-1, []float32{0, 1, 2}}, {1, []float32{2, 3, 0}}} {
		m := flat(shiftMatrix(3, c.d))
		for j := 0; j < 3; j++ {
			var y float32
			for k := 0; k < 3; k++ {
				y += x[k] * m[k*3+j]
			}
			if y != c.want[j] {
				t.Errorf("d=%d: y[%d] = %v, want %v", c.d, j, y, c.want[j])
			}
		}
	}
	if got := flat(selectLast(3, 2)); got[0*3+1] != 1 || got[1*3+2] != 1 || got[0] != 0 {
		t.Errorf("selectLast(3,2) = %v", got)
	}
}

func TestValidate(t *testing.T) {
	good := PaperConfig(TextBiLSTM, AllResiduals)
	cases := []struct {
		name string
		mod  func(*Config)
	}{
		{"text layer", func(c *Config) { c.TextLayer = "lstm" }},
		{"hidden", func(c *Config) { c.TextHidden = 100 }},
		{"heads", func(c *Config) { c.Heads = 7 }},
		{"fusion", func(c *Config) { c.Fusion = "late" }},
		{"code layers", func(c *Config) { c.Fusion, c.DecLayers = FusionCode, -1 }},
		{"rseq form", func(c *Config) { c.RSeqForm = "s" }},
		{"rb form", func(c *Config) { c.RbForm = "mean" }},
		{"contrastive form", func(c *Config) { c.ContrastiveForm = "pairs" }},
		{"cca form", func(c *Config) { c.CCAForm = "svd" }},
		{"layout", func(c *Config) { c.VideoLayout = "hf" }},
		{"patches", func(c *Config) { c.VideoLayout, c.Patches = VideoTimeSformer, 0 }},
		{"image dim", func(c *Config) { c.ImageDim = -1 }},
		{"dropout", func(c *Config) { c.Dropout = 1 }},
		{"align", func(c *Config) { c.Align = "kl" }},
		{"tokens", func(c *Config) { c.Tokens = 0 }},
	}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := CodeConfig(TextConv, Residuals{}).Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		c := good
		tc.mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

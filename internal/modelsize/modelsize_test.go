package modelsize_test

import (
	"encoding/json"
	"os"
	"testing"

	model "github.com/actrepro/actrepro/gomlx_models/artemis"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/modelsize"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gopjrt/dtypes"
)

// counts is testdata/counts.json, written by testdata/gen_counts.py with
// PyTorch 1.13 counting the parameters of the same modules.
type counts struct {
	TimeSformer16 int64            `json:"timesformer_base_16"`
	TimeSformer8  int64            `json:"timesformer_base_8"`
	CLIP          int64            `json:"clip_vit_b16_vision"`
	CLIPProj      int64            `json:"clip_vit_b16_vision_proj512"`
	Transformer   int64            `json:"transformer_512_6_6"`
	SmallTrans    int64            `json:"transformer_64_2_1_ff128"`
	Encoder       int64            `json:"encoder_layer_512"`
	Decoder       int64            `json:"decoder_layer_512"`
	Heads         map[string]int64 `json:"heads"`
	HeadsK13      map[string]int64 `json:"heads_k13"`
}

func readCounts(t *testing.T) counts {
	t.Helper()
	b, err := os.ReadFile("testdata/counts.json")
	if err != nil {
		t.Fatal(err)
	}
	var c counts
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// presets mirror gen_counts.py's (and internal/tasks/artemis's Presets).
var presets = map[string]model.Config{
	"best1":          model.CodeConfig(model.TextConv, model.Residuals{Hv: true, Backbone: true, F: true}),
	"best2":          model.CodeConfig(model.TextConv, model.Residuals{Hv: true, Backbone: true}),
	"best3":          model.CodeConfig(model.TextConv, model.Residuals{Hv: true, Backbone: true, Hq: true}),
	"artemis-bilstm": model.CodeConfig(model.TextBiLSTM, model.AllResiduals),
	"artemis-gru":    model.CodeConfig(model.TextGRU, model.AllResiduals),
	"artemis-none":   model.CodeConfig(model.TextNone, model.AllResiduals),
}

func TestModulesMatchPyTorch(t *testing.T) {
	c := readCounts(t)
	ts16, ts8 := modelsize.ViTBase16, modelsize.ViTBase16
	ts16.Frames, ts8.Frames = 16, 8
	proj := modelsize.ViTBase16
	proj.Proj = 512
	for _, tc := range []struct {
		name      string
		got, want int64
	}{
		{"TimeSformer-base 16 frames", modelsize.TimeSformer(ts16), c.TimeSformer16},
		{"TimeSformer-base 8 frames", modelsize.TimeSformer(ts8), c.TimeSformer8},
		{"CLIP ViT-B/16 vision", modelsize.CLIPVision(modelsize.ViTBase16), c.CLIP},
		{"CLIP ViT-B/16 vision + proj", modelsize.CLIPVision(proj), c.CLIPProj},
		{"nn.Transformer 512 6+6", modelsize.Transformer(512, 2048, 6, 6), c.Transformer},
		{"nn.Transformer 64 2+1 ff128", modelsize.Transformer(64, 128, 2, 1), c.SmallTrans},
		{"encoder layer", modelsize.EncoderLayer(512, 2048), c.Encoder},
		{"decoder layer", modelsize.DecoderLayer(512, 2048), c.Decoder},
	} {
		if tc.got != tc.want || tc.want == 0 {
			t.Errorf("%s: analytic %d, PyTorch %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestHeadsMatchPyTorch(t *testing.T) {
	c := readCounts(t)
	for name, cfg := range presets {
		for _, k := range []int{140, 13} {
			want := c.Heads[name]
			if k == 13 {
				want = c.HeadsK13[name]
			}
			cfg.NumClass = k
			got, err := modelsize.Head(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got != want || want == 0 {
				t.Errorf("%s K=%d: analytic %d, PyTorch %d", name, k, got, want)
			}
		}
	}
}

// The full model of the brief's Table 6 reading: BEST1 = 253,448,924 and
// ARTEMIS-biLSTM = 255,025,880 (sums of the PyTorch counts above).
func TestARTEMISTotals(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int64
	}{{"best1", 253448924}, {"best2", 253055196}, {"best3", 253055196}, {"artemis-bilstm", 255025880}} {
		b, err := modelsize.ARTEMIS(presets[tc.name])
		if err != nil {
			t.Fatal(err)
		}
		if b.Total() != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, b.Total(), tc.want)
		}
	}
}

func TestHeadRejectsUncountedForms(t *testing.T) {
	for name, mod := range map[string]func(*model.Config){
		"paper fusion": func(c *model.Config) { *c = model.PaperConfig(c.TextLayer, c.Residuals) },
		"text only":    func(c *model.Config) { c.TextOnly = true },
		"cca":          func(c *model.Config) { c.Align = model.AlignCCA },
		"invalid":      func(c *model.Config) { c.Heads = 0 },
	} {
		cfg := presets["best1"]
		mod(&cfg)
		if _, err := modelsize.Head(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// goModelParams builds the GoMLX model's graph for cfg at batch 1 and sums
// the sizes of the variables it creates.
func goModelParams(t *testing.T, cfg model.Config) int64 {
	t.Helper()
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	ctx := mlctx.New()
	g := NewGraph(backend, "count")
	video := Parameter(g, "video", shapes.Make(dtypes.Float32, 1, cfg.NumFrames, cfg.VideoDim))
	image := Parameter(g, "image", shapes.Make(dtypes.Float32, 1, cfg.ImageDim))
	desc := Parameter(g, "desc", shapes.Make(dtypes.Float32, 1, cfg.EmbedDim))
	cfg.Build(ctx, video, image, desc)
	var n int64
	ctx.EnumerateVariables(func(v *mlctx.Variable) {
		if v.Trainable {
			n += int64(v.Shape().Size())
		}
	})
	return n
}

// The head as gomlx_models/artemis builds it has exactly the analytic count
// (so exactly PyTorch's): at the paper's widths, each preset.
func TestHeadMatchesGoModel(t *testing.T) {
	names := []string{"best1", "best2", "artemis-bilstm", "artemis-gru", "artemis-none"}
	if testing.Short() {
		names = names[:1]
	}
	for _, name := range names {
		cfg := presets[name]
		want, err := modelsize.Head(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := goModelParams(t, cfg); got != want {
			t.Errorf("%s: GoMLX model %d variables' elements, analytic %d", name, got, want)
		}
	}
}

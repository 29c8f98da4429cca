package artemis

import (
	"math"

	model "github.com/actrepro/actrepro/gomlx_models/artemis"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/trainer"
)

// Data tracks.
const (
	TrackSynthetic = "synthetic" // data.SynthAK: seeded twin, real label statistics.
	TrackAKText    = "ak-text"   // data.LoadAKText: real descriptions and labels, text-only model.
)

// Data is the [data] section.
type Data struct {
	Dataset string `toml:"dataset,required"` // "animalkingdom"
	Source  string `toml:"source,required"`  // "synthetic" (track synthetic) or "real" (track ak-text)
	Track   string `toml:"track,required"`   // TrackSynthetic or TrackAKText
	Seed    int64  `toml:"seed"`             // data seed (generator or subset), independent of train.seed

	// Synthetic track.
	NTrain     int     `toml:"n_train"`    // clips in train (default 1024)
	NVal       int     `toml:"n_val"`      // clips in val (default 256)
	Classes    int     `toml:"classes"`    // K (default 140)
	Frames     int     `toml:"frames"`     // T video tokens (default 16)
	VideoDim   int     `toml:"video_dim"`  // D (default 768 full, tiny at smoke)
	EmbedDim   int     `toml:"embed_dim"`  // E (default 512 full, tiny at smoke)
	Difficulty float64 `toml:"difficulty"` // noise level in [0,1] (default 0.5)

	// ak-text track.
	MaxTrain  int    `toml:"max_train"`  // seeded subset of the real train split (0: all 24,004)
	MaxVal    int    `toml:"max_val"`    // seeded subset of the real val split (0: all 6,096)
	LabelText string `toml:"label_text"` // class-query text: "name" (authors' code), "description", "name+description"
	ClipDir   string `toml:"clip_dir"`   // optional real CLIP embeddings (see data.AKTextOptions)
	// Eval is the evaluated split: "" / "val", or "fold0".."fold4", a held-out
	// fold of the TRAIN split for choosing epochs (data.AKTextOptions.Eval).
	Eval string `toml:"eval"`
}

// Model is the [model] section: gomlx_models/artemis.Config in spec terms.
type Model struct {
	// Preset, when set, fixes the text layer and the residuals to a named
	// configuration of the paper (see Presets); it overrides those keys.
	// "label-frequency" and "logreg" run the reference baselines instead of
	// ARTEMIS (ak-text track only).
	Preset    string `toml:"preset"`
	TextLayer string `toml:"text_layer"` // none | bilstm | gru | conv
	RHv       bool   `toml:"R_Hv"`
	RSeq      bool   `toml:"R_seq"`
	RB        bool   `toml:"R_b"`
	RHq       bool   `toml:"R_Hq"`
	FR        bool   `toml:"F_r"`

	// Where the paper and the authors' code differ, "code" is the default
	// and "paper" the paper's reading (gomlx_models/artemis.Config says
	// which equation and code line each form comes from).
	Fusion     string  `toml:"fusion"`      // "code" (nn.Transformer encoder-decoder, default) or "paper" (one layer over t+K tokens)
	Tokens     int     `toml:"tokens"`      // t (16)
	TextHidden int     `toml:"text_hidden"` // biLSTM/GRU units per direction (E/2)
	Heads      int     `toml:"heads"`       // 8
	FFDim      int     `toml:"ff_dim"`      // 2048
	EncLayers  int     `toml:"enc_layers"`  // 0: the fusion's own (code 6, paper 1)
	DecLayers  int     `toml:"dec_layers"`  // 0: the fusion's own (code 6)
	Dropout    float64 `toml:"dropout"`     // 0.1: every dropout of the code (positional encoding, attention weights, transformer layers)

	RSeqForm        string `toml:"r_seq_form"`        // "code": R_seq adds S' (default); "paper": H_v W_seq (Eq. 6)
	RbForm          string `toml:"r_b_form"`          // "code": R_b keeps the t pooled tokens (default); "paper": averaged over time (Eq. 5)
	TextAcrossBatch bool   `toml:"text_across_batch"` // the code's biLSTM/GRU recurrence across the clips of a batch (off by default)
	ContrastiveForm string `toml:"contrastive_form"`  // "code": per class on W_j H_v vs H_q, squared (default); "paper": Eq. 17 over clip pairs
	CCAForm         string `toml:"cca_form"`          // "code": sum of canonical correlations (default); "paper": Eq. 19 as printed
	// ImageDim is the width of F: 0 means the track's own (synthetic twin:
	// embed_dim, its F has width E; ak-text: 768, CLIP ViT-B/16's pooler
	// output as in the code).
	ImageDim int `toml:"image_dim"`
	// VideoLayout is "frames" (one token per frame, the twin's layout) or
	// "timesformer" (Hugging Face's 1+patches*T tokens, patch-major: real
	// TimeSformer features); TokenPool "code"|"paper" is how the latter is
	// pooled (see gomlx_models/artemis.Config).
	VideoLayout string `toml:"video_layout"`
	Patches     int    `toml:"patches"`
	TokenPool   string `toml:"token_pool"`

	// Video and image widths of the text-only model's learned constants
	// (ak-text track only; the synthetic track takes them from the data).
	Frames   int `toml:"frames"`
	VideoDim int `toml:"video_dim"`

	Align       string   `toml:"align"`        // none | contrastive | cosine | cca
	AlignWeight *float64 `toml:"align_weight"` // default 0.1 (1e-4 for cca), section 3.3
	CosineAxis  string   `toml:"cosine_axis"`  // "class" (authors' code, default) or "feature" (paper)
	CCADim      int      `toml:"cca_dim"`      // cca_form "paper": width of W_fb1, W_fb2 (0: E)
}

// Train is the [train] section.
type Train struct {
	// The authors' code trains 50 epochs with the video encoder frozen, then
	// 200 more (main.py --epochs 100: range(0, 50) then range(0, 200),
	// artemis.py:233,246; the paper says 150 or 200). The inputs here are
	// precomputed features, so there is no encoder to freeze: FrozenEpochs
	// and Epochs run the same way and add up.
	FrozenEpochs int     `toml:"frozen_epochs"`
	Epochs       int     `toml:"epochs"`
	Batch        int     `toml:"batch"`         // 16 (README command of the authors' code)
	EpochSize    int     `toml:"epoch_size"`    // clips drawn per epoch: 2,500 in the authors' code; 0 = one pass
	LR           float64 `toml:"lr"`            // Adam lr, 1e-5 in the authors' code
	Schedule     string  `toml:"schedule"`      // "cosine_restarts" (T_0 = restart_every epochs) or "constant"
	RestartEvery int     `toml:"restart_every"` // 10
	// Select is the epoch whose val metrics a point reports: "last" (the
	// default, as the authors' code: main.py trains, then tests once, with
	// no checkpoint selection) or "best", the epoch with the best
	// SelectMetric on a fold of the training split held out of training
	// (see SelectOn). The val split, which the tables report, never chooses.
	Select string `toml:"select"`
	// SelectOn is the split "best" chooses on: "train-fold" (the only
	// value: fold SelectFold of train is held out of training and
	// evaluated at every evaluation). "val" is refused by name: choosing the
	// epoch on the reported split inflates the reported number.
	SelectOn     string `toml:"select_on"`
	SelectFold   int    `toml:"select_fold"`   // 0..4: the held-out fold (<f>_light.csv on the real track; clip i with i%5 == f on the twin)
	SelectMetric string `toml:"select_metric"` // metric "best" maximises on the fold (default map_batch_micro)
	Patience     int    `toml:"patience"`      // early stopping on the held-out fold's select_metric (needs select = "best"); 0 = off
	EvalBatch    int    `toml:"eval_batch"`    // batch of the batch-micro mAP (16)
	EvalEvery    int    `toml:"eval_every"`    // evaluate on val every this many epochs (and at the last); 1 = every epoch
	Seed         int64  `toml:"seed"`
}

// Preset is a named configuration of section 4.2.
type Preset struct {
	TextLayer string
	Residuals model.Residuals
}

// Presets are named configurations: ARTEMIS with all residuals and each text
// layer (the last rows of Table 1; "artemis-bilstm" is the model Table 3
// aligns), and the three best ablation models of section 4.2.1.
var Presets = map[string]Preset{
	"artemis-none":   {model.TextNone, model.AllResiduals},
	"artemis-bilstm": {model.TextBiLSTM, model.AllResiduals},
	"artemis-gru":    {model.TextGRU, model.AllResiduals},
	"artemis-conv":   {model.TextConv, model.AllResiduals},
	"best1":          {model.TextConv, model.Residuals{Hv: true, Backbone: true, F: true}},
	"best2":          {model.TextConv, model.Residuals{Hv: true, Backbone: true}},
	"best3":          {model.TextConv, model.Residuals{Hv: true, Backbone: true, Hq: true}},
}

// Baseline presets: the reference models of the ak-text track, computed on
// the same track (same encoder features) by internal/tasks/baselines.
const (
	BaselineLabelFrequency = "label-frequency" // every clip scored with the train prevalence of each class
	BaselineLogReg         = "logreg"          // logistic regression on the description embedding
)

// IsBaseline reports whether preset names a baseline rather than ARTEMIS.
func IsBaseline(preset string) bool {
	return preset == BaselineLabelFrequency || preset == BaselineLogReg
}

// Config is a point's resolved configuration.
type Config struct {
	Data  Data
	Model Model
	Train Train
}

// DefaultConfig holds the paper's values; specs override them.
func DefaultConfig() Config {
	return Config{
		Data: Data{Track: TrackSynthetic, NTrain: 1024, NVal: 256, Classes: 140, Frames: 16,
			VideoDim: 768, EmbedDim: 512, Difficulty: 0.5, LabelText: "name", Seed: 1},
		Model: Model{TextLayer: model.TextBiLSTM, Fusion: model.FusionCode, Tokens: 16, Heads: 8,
			FFDim: 2048, Dropout: 0.1, Frames: 16, VideoDim: 768, Align: model.AlignNone,
			RSeqForm: model.FormCode, RbForm: model.FormCode, ContrastiveForm: model.FormCode, CCAForm: model.FormCode,
			VideoLayout: model.VideoFrames, Patches: 196, TokenPool: model.FormCode},
		Train: Train{Epochs: 200, FrozenEpochs: 50, Batch: 16, EpochSize: 2500, LR: 1e-5,
			Schedule: trainer.ScheduleCosineRestarts, RestartEvery: 10, Select: "last", SelectOn: SelectOnTrainFold,
			SelectMetric: "map_batch_micro", EvalBatch: 16, EvalEvery: 1, Seed: 1},
	}
}

// Decode reads and checks a point's config; errors name the dotted key.
func Decode(p runner.Point) (Config, error) {
	c := DefaultConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	if IsBaseline(c.Model.Preset) {
		if c.Data.Track != TrackAKText {
			return c, spec.Errorf("model.preset", "baseline %q runs on the ak-text track only", c.Model.Preset)
		}
	} else if c.Model.Preset != "" {
		pr, ok := Presets[c.Model.Preset]
		if !ok {
			return c, spec.Errorf("model.preset", `unknown preset %q (want artemis-none|bilstm|gru|conv, best1..3, label-frequency or logreg)`, c.Model.Preset)
		}
		c.Model.TextLayer = pr.TextLayer
		r := pr.Residuals
		c.Model.RHv, c.Model.RSeq, c.Model.RB, c.Model.RHq, c.Model.FR = r.Hv, r.Seq, r.Backbone, r.Hq, r.F
	}
	d, m, t := c.Data, c.Model, c.Train
	switch {
	case d.Dataset != "animalkingdom":
		return c, spec.Errorf("data.dataset", `want "animalkingdom", got %q`, d.Dataset)
	case d.Track != TrackSynthetic && d.Track != TrackAKText:
		return c, spec.Errorf("data.track", "want %q or %q, got %q", TrackSynthetic, TrackAKText, d.Track)
	case d.Track == TrackSynthetic && d.Source != "synthetic":
		return c, spec.Errorf("data.source", `track "synthetic" is synthetic data; got source %q`, d.Source)
	case d.Track == TrackAKText && d.Source != "real":
		return c, spec.Errorf("data.source", `track "ak-text" reads the real Animal Kingdom files; got source %q`, d.Source)
	case d.NTrain < 1 || d.NTrain > 1_000_000:
		return c, spec.Errorf("data.n_train", "must be 1..1000000, got %d", d.NTrain)
	case d.NVal < 1 || d.NVal > 1_000_000:
		return c, spec.Errorf("data.n_val", "must be 1..1000000, got %d", d.NVal)
	case d.Classes < 2 || d.Classes > 1000:
		return c, spec.Errorf("data.classes", "must be 2..1000, got %d", d.Classes)
	case d.Frames < 1 || d.Frames > 4096:
		return c, spec.Errorf("data.frames", "must be 1..4096, got %d", d.Frames)
	case d.VideoDim < 1 || d.VideoDim > 8192:
		return c, spec.Errorf("data.video_dim", "must be 1..8192, got %d", d.VideoDim)
	case d.EmbedDim < 2 || d.EmbedDim > 8192:
		return c, spec.Errorf("data.embed_dim", "must be 2..8192, got %d", d.EmbedDim)
	case !(d.Difficulty >= 0 && d.Difficulty <= 1):
		return c, spec.Errorf("data.difficulty", "must be in [0,1], got %g", d.Difficulty)
	case d.MaxTrain < 0 || d.MaxVal < 0:
		return c, spec.Errorf("data.max_train", "max_train and max_val must be >= 0")
	case d.LabelText != "name" && d.LabelText != "description" && d.LabelText != "name+description":
		return c, spec.Errorf("data.label_text", `want "name", "description" or "name+description", got %q`, d.LabelText)
	case m.Tokens < 1 || m.Tokens > 4096:
		return c, spec.Errorf("model.tokens", "must be 1..4096, got %d", m.Tokens)
	case m.Heads < 1:
		return c, spec.Errorf("model.heads", "must be positive, got %d", m.Heads)
	case m.FFDim < 1:
		return c, spec.Errorf("model.ff_dim", "must be positive, got %d", m.FFDim)
	case m.Frames < 1 || m.VideoDim < 1:
		return c, spec.Errorf("model.frames", "model.frames and model.video_dim must be positive")
	case m.ImageDim < 0 || d.Track == TrackSynthetic && m.ImageDim != 0 && m.ImageDim != d.EmbedDim:
		return c, spec.Errorf("model.image_dim", "must be 0 (the track's own) or, on the synthetic twin, data.embed_dim (%d); got %d", d.EmbedDim, m.ImageDim)
	case m.VideoLayout != model.VideoFrames:
		return c, spec.Errorf("model.video_layout", `only "frames" has a data track here (the synthetic twin and the text-only constants); "timesformer" is the model's layout for real TimeSformer features, which no track loads yet; got %q`, m.VideoLayout)
	case m.AlignWeight != nil && !(*m.AlignWeight >= 0 && !math.IsInf(*m.AlignWeight, 0)):
		return c, spec.Errorf("model.align_weight", "must be a finite number >= 0, got %g", *m.AlignWeight)
	case t.Epochs < 0 || t.FrozenEpochs < 0 || t.Epochs+t.FrozenEpochs < 1 || t.Epochs+t.FrozenEpochs > 10_000:
		return c, spec.Errorf("train.epochs", "epochs + frozen_epochs must be 1..10000, got %d + %d", t.Epochs, t.FrozenEpochs)
	case t.Batch < 2 || t.Batch > 4096:
		return c, spec.Errorf("train.batch", "must be 2..4096, got %d", t.Batch)
	case t.EvalBatch < 1:
		return c, spec.Errorf("train.eval_batch", "must be positive, got %d", t.EvalBatch)
	case t.EvalEvery < 1:
		return c, spec.Errorf("train.eval_every", "must be >= 1, got %d", t.EvalEvery)
	}
	if err := t.checkSelect(); err != nil {
		return c, err
	}
	mc := c.ModelConfig(d.Frames, d.VideoDim, d.EmbedDim, d.Classes)
	if err := mc.Validate(); err != nil {
		return c, spec.Errorf("model", "%v", err)
	}
	if err := c.TrainerConfig().Validate(); err != nil {
		return c, spec.Errorf("train", "%v", err)
	}
	return c, nil
}

// ModelConfig builds the model's configuration for the given data sizes.
func (c Config) ModelConfig(frames, videoDim, embedDim, classes int) model.Config {
	m := c.Model
	r := model.Residuals{Hv: m.RHv, Seq: m.RSeq, Backbone: m.RB, Hq: m.RHq, F: m.FR}
	mc := model.CodeConfig(m.TextLayer, r)
	mc.NumFrames, mc.VideoDim, mc.EmbedDim, mc.NumClass = frames, videoDim, embedDim, classes
	// The synthetic twin's F has width E (its layout, kept explicit here);
	// the code's CLIP image embedding is 768 wide.
	mc.ImageDim = embedDim
	if c.Data.Track == TrackAKText {
		mc.NumFrames, mc.VideoDim, mc.TextOnly = m.Frames, m.VideoDim, true
		mc.ImageDim = 768
	}
	if m.ImageDim != 0 {
		mc.ImageDim = m.ImageDim
	}
	mc.VideoLayout, mc.Patches, mc.TokenPool = m.VideoLayout, m.Patches, m.TokenPool
	mc.RSeqForm, mc.RbForm, mc.TextAcrossBatch = m.RSeqForm, m.RbForm, m.TextAcrossBatch
	mc.ContrastiveForm, mc.CCAForm = m.ContrastiveForm, m.CCAForm
	mc.Tokens, mc.Heads, mc.FFDim, mc.Dropout = m.Tokens, m.Heads, m.FFDim, m.Dropout
	mc.TextHidden = m.TextHidden
	if mc.TextHidden == 0 {
		mc.TextHidden = embedDim / 2
	}
	// 0 layers mean the fusion's own depth (code 6+6, paper 1), so that
	// switching fusion alone never mixes the two.
	mc.Fusion, mc.EncLayers, mc.DecLayers = m.Fusion, m.EncLayers, m.DecLayers
	mc.Align = m.Align
	mc.AlignWeight = model.DefaultAlignWeight(m.Align)
	if m.AlignWeight != nil {
		mc.AlignWeight = *m.AlignWeight
	}
	mc.CosineAxis = m.CosineAxis
	if mc.CosineAxis == "" {
		mc.CosineAxis = model.CosineClass
	}
	mc.CCADim = m.CCADim
	return mc
}

// TrainerConfig is the training recipe of the point.
func (c Config) TrainerConfig() trainer.Config {
	t := c.Train
	tc := trainer.Config{
		Epochs: t.FrozenEpochs + t.Epochs, BatchSize: t.Batch, EpochSize: t.EpochSize, Seed: t.Seed,
		LearningRate: t.LR, Schedule: t.Schedule, RestartEvery: t.RestartEvery,
		Patience: t.Patience, EvalEvery: t.EvalEvery,
	}
	if t.Select == SelectBest {
		// Only the held-out train fold's values can choose (see Fit).
		tc.Monitor = foldPrefix + t.SelectMetric
	}
	return tc
}

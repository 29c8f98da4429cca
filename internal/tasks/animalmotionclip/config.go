package animalmotionclip

import (
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/video/sampling"
)

// Modalities of model.modality (the paper's Table 3).
const (
	ModalityRGB  = "rgb"      // P RGB frames per classifier
	ModalityFlow = "flow"     // P optical-flow images per classifier
	ModalityBoth = "rgb+flow" // 2P frames, I1 F1 I2 F2 ... (section 2)
)

// Text sources of data.text: what the frozen text encoder embeds for each class.
const (
	TextName        = "name"        // the class name (X-CLIP's label text)
	TextDescription = "description" // the class description (class_descriptions.csv)
)

// Data is the [data] section.
type Data struct {
	Dataset string `toml:"dataset,required"` // "animalkingdom"
	Source  string `toml:"source,required"`  // "synthetic" (the motion twin) or "real"
	Dir     string `toml:"dir"`              // real: the Animal Kingdom folder (default <root>/animalkingdom)
	// MaxTrain and MaxVal cap the clips read, in list order (0 = all).
	MaxTrain int `toml:"max_train"`
	MaxVal   int `toml:"max_val"`
	// DecodeSize is the side videos are decoded at and flow is computed at; FrameSize the side
	// of the frames and flow images the model reads (flow resized with its vectors rescaled).
	DecodeSize int `toml:"decode_size"`
	FrameSize  int `toml:"frame_size"`
	// MaxFrames stops decoding after this many frames (0: all).
	MaxFrames int `toml:"max_frames"`
	// FlowMax is the flow magnitude, in pixels of FrameSize per frame, that saturates the colour
	// wheel (a fixed scale, so that speed is visible across frames and clips); 0 normalises each
	// flow image by its own largest vector, as RAFT's flow_to_image does by default.
	FlowMax float64 `toml:"flow_max"`
	// FlowInvert feeds every flow image to the model as 1 − image: the colour wheel's white
	// (no motion), about 90% of the twin's flow pixels, becomes 0 and only moving pixels are
	// non-zero. This reproduction's choice, not the paper's (it feeds RAFT flow images to a
	// pre-trained CLIP, whose features need no such help): the from-scratch ViT here does not
	// find the small moving regions on a white background (REPRODUCE.md, AnimalMotionCLIP).
	FlowInvert bool   `toml:"flow_invert"`
	Text       string `toml:"text"`     // "name" or "description"
	TextDim    int    `toml:"text_dim"` // width of the frozen text encoder (TF-IDF + LSA, fitted on the class texts)
	Twin       Twin   `toml:"twin"`     // synthetic: the motion twin's settings
}

// Model is the [model] section.
type Model struct {
	Scheme   string `toml:"scheme"`   // "dense", "semi-dense" or "sparse" (Table 2)
	Modality string `toml:"modality"` // "rgb", "flow" or "rgb+flow" (Table 3)
	// M is the number of weight-sharing classifiers (main windows) and P the frames each reads
	// (per modality). The paper states neither; defaults sampling.DefaultM = 4, sampling.DefaultP = 8.
	M     int `toml:"m"`
	P     int `toml:"p"`
	Patch int `toml:"patch"`
	// Stem is the channel count of the frame encoder's convolutional stem with spatial pooling
	// (gomlx_models/animalmotionclip PatchEmbed); 0 is CLIP's plain patch embedding.
	Stem         int     `toml:"stem"`
	Width        int     `toml:"width"`
	Heads        int     `toml:"heads"`
	Layers       int     `toml:"layers"`
	MITLayers    int     `toml:"mit_layers"`
	PromptLayers int     `toml:"prompt_layers"`
	MLPRatio     int     `toml:"mlp_ratio"`
	Threshold    float64 `toml:"threshold"` // on the averaged scores, for the predicted label sets (F1)
}

// Train is the [train] section.
type Train struct {
	Epochs       int     `toml:"epochs"`
	Batch        int     `toml:"batch"`
	LearningRate float64 `toml:"learning_rate"`
	WeightDecay  float64 `toml:"weight_decay"`
	EvalBatch    int     `toml:"eval_batch"`
	Seed         int64   `toml:"seed"`
	// Resample draws new sparse selections every epoch (the scheme's randomness as
	// augmentation); the val clips always use one fixed draw.
	Resample bool `toml:"resample"`
}

// Config is a point's resolved configuration.
type Config struct {
	Data  Data
	Model Model
	Train Train
}

// DefaultConfig is what a spec does not set. The paper states no training hyperparameters;
// these are this reproduction's choices (experiments/animalmotionclip, REPRODUCE.md).
func DefaultConfig() Config {
	return Config{
		Data: Data{DecodeSize: 64, FrameSize: 32, FlowMax: 2, Text: TextName, TextDim: 64, Twin: DefaultTwin()},
		Model: Model{Scheme: string(sampling.Sparse), Modality: ModalityBoth, M: sampling.DefaultM, P: sampling.DefaultP,
			Patch: 8, Width: 64, Heads: 4, Layers: 1, MITLayers: 1, PromptLayers: 1, MLPRatio: 4, Threshold: 0.5},
		Train: Train{Epochs: 20, Batch: 8, LearningRate: 1e-3, WeightDecay: 1e-4, EvalBatch: 16, Seed: 1, Resample: true},
	}
}

// Frames is the number of frames one classifier reads: P, or 2P interleaved.
func (m Model) Frames() int {
	if m.Modality == ModalityBoth {
		return 2 * m.P
	}
	return m.P
}

// Sampling is the point's frame-selection configuration.
func (m Model) Sampling() sampling.Config {
	return sampling.Config{Scheme: sampling.Scheme(m.Scheme), M: m.M, P: m.P}
}

// ParseConfig decodes and checks a point's configuration.
func ParseConfig(p runner.Point) (Config, error) {
	c := DefaultConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	d, m, t := c.Data, c.Model, c.Train
	if s, err := sampling.ParseScheme(m.Scheme); err != nil {
		return c, spec.Errorf("model.scheme", "%v", err)
	} else {
		c.Model.Scheme = string(s)
	}
	switch {
	case d.Dataset != "animalkingdom":
		return c, spec.Errorf("data.dataset", `want "animalkingdom", got %q`, d.Dataset)
	case d.Source != "synthetic" && d.Source != "real":
		return c, spec.Errorf("data.source", `want "synthetic" or "real", got %q`, d.Source)
	case d.MaxTrain < 0 || d.MaxVal < 0:
		return c, spec.Errorf("data.max_train", "caps must be >= 0, got %d and %d", d.MaxTrain, d.MaxVal)
	case d.DecodeSize < 8 || d.DecodeSize > 1024:
		return c, spec.Errorf("data.decode_size", "must be 8..1024, got %d", d.DecodeSize)
	case d.FrameSize < 4 || d.FrameSize > d.DecodeSize:
		return c, spec.Errorf("data.frame_size", "must be 4..decode_size (%d), got %d", d.DecodeSize, d.FrameSize)
	case d.MaxFrames < 0:
		return c, spec.Errorf("data.max_frames", "must be >= 0, got %d", d.MaxFrames)
	case !(d.FlowMax >= 0):
		return c, spec.Errorf("data.flow_max", "must be >= 0, got %g", d.FlowMax)
	case d.Text != TextName && d.Text != TextDescription:
		return c, spec.Errorf("data.text", `want "name" or "description", got %q`, d.Text)
	case d.TextDim < 2 || d.TextDim > 4096:
		return c, spec.Errorf("data.text_dim", "must be 2..4096, got %d", d.TextDim)
	case m.Modality != ModalityRGB && m.Modality != ModalityFlow && m.Modality != ModalityBoth:
		return c, spec.Errorf("model.modality", `want "rgb", "flow" or "rgb+flow", got %q`, m.Modality)
	case m.M < 1 || m.M > 64:
		return c, spec.Errorf("model.m", "must be 1..64, got %d", m.M)
	case m.P < 1 || m.P > 256:
		return c, spec.Errorf("model.p", "must be 1..256, got %d", m.P)
	case m.Patch < 1 || d.FrameSize%m.Patch != 0:
		return c, spec.Errorf("model.patch", "must divide data.frame_size %d, got %d", d.FrameSize, m.Patch)
	case m.Stem < 0 || m.Stem > 256:
		return c, spec.Errorf("model.stem", "must be 0..256, got %d", m.Stem)
	case m.Width < 1 || m.Heads < 1 || m.Width%m.Heads != 0:
		return c, spec.Errorf("model.width", "must be a positive multiple of model.heads %d, got %d", m.Heads, m.Width)
	case m.Layers < 1 || m.MITLayers < 0 || m.PromptLayers < 0 || m.MLPRatio < 1:
		return c, spec.Errorf("model.layers", "layers %d (>= 1), mit_layers %d, prompt_layers %d (>= 0), mlp_ratio %d (>= 1)", m.Layers, m.MITLayers, m.PromptLayers, m.MLPRatio)
	case !(m.Threshold > 0 && m.Threshold < 1):
		return c, spec.Errorf("model.threshold", "must be in (0, 1), got %g", m.Threshold)
	case t.Epochs < 1 || t.Epochs > 10000:
		return c, spec.Errorf("train.epochs", "must be 1..10000, got %d", t.Epochs)
	case t.Batch < 1 || t.EvalBatch < 1:
		return c, spec.Errorf("train.batch", "batch %d and eval_batch %d must be >= 1", t.Batch, t.EvalBatch)
	case !(t.LearningRate > 0 && t.LearningRate < 10):
		return c, spec.Errorf("train.learning_rate", "must be in (0, 10), got %g", t.LearningRate)
	case !(t.WeightDecay >= 0):
		return c, spec.Errorf("train.weight_decay", "must be >= 0, got %g", t.WeightDecay)
	}
	if err := c.Data.Twin.validate(); err != nil {
		return c, err
	}
	return c, nil
}

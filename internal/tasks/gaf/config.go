package gaf

import (
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// Model names of model.name.
const (
	ModelI3D = "i3d" // Table II's I3D row
	ModelGAF = "gaf" // Table II's "Ours" row (I3D + GAF)
)

// Data is the [data] section.
type Data struct {
	Dataset string `toml:"dataset,required"` // "ucf101"
	Source  string `toml:"source,required"`  // "synthetic" (the feature twin) or "real"
	Dir     string `toml:"dir"`              // real: feature directory (default <root>/ucf101/i3d_features)
	Split   int    `toml:"split"`            // official split 1..3
	// Subsets (smoke scale): the first Classes classes (0 = all 101), at most MaxTrain/MaxTest
	// videos per class in list order (0 = all).
	Classes  int `toml:"classes"`
	MaxTrain int `toml:"max_train_per_class"`
	MaxTest  int `toml:"max_test_per_class"`
	// Steps: videos longer than this are sampled at evenly spaced steps; shorter ones padded (masked).
	Steps int `toml:"steps"`
	// Twin (source = "synthetic"): see data.FeatureTwinOptions.
	Seed        int64   `toml:"seed"`
	Dim         int     `toml:"dim"`
	MinSteps    int     `toml:"min_steps"`
	MaxSteps    int     `toml:"max_steps"`
	MinWindow   float64 `toml:"min_window"`
	MaxWindow   float64 `toml:"max_window"`
	Signal      float64 `toml:"signal"`
	FlowSignal  float64 `toml:"flow_signal"`
	Scene       float64 `toml:"scene"`
	Backgrounds int     `toml:"backgrounds"`
}

// Model is the [model] section.
type Model struct {
	Name       string  `toml:"name"`        // "i3d" or "gaf"
	Streams    string  `toml:"streams"`     // "both" (logits averaged, section IV-B), "rgb" or "flow"
	Hidden     int     `toml:"hidden"`      // λ head hidden width (0: D/2)
	CVAEHidden int     `toml:"cvae_hidden"` // CVAE hidden width C (0: D, as the code's C = channels)
	Latent     int     `toml:"latent"`      // z width (0: C, as the code)
	Dropout    float64 `toml:"dropout"`
	Beta       float64 `toml:"beta"`         // KL weight of Eq. 7 (code: 0.1)
	BgWeight   float64 `toml:"bg_weight"`    // weight of L_clf_n-ai (Eq. 12: 1)
	ReconScale float64 `toml:"recon_weight"` // L_R weight at the last epoch (code: 0.5, ramped by epoch/max_epoch)
	CVAE       bool    `toml:"cvae"`         // false: no CVAE step and no L_R (an ablation)
}

// Train is the [train] section.
type Train struct {
	Epochs       int       `toml:"epochs"`
	Batch        int       `toml:"batch"`
	LearningRate float64   `toml:"learning_rate"`
	WeightDecay  float64   `toml:"weight_decay"`
	CVAERate     float64   `toml:"cvae_learning_rate"` // code: Adam 1e-3 (train.py:423)
	CVAEBetas    []float64 `toml:"cvae_betas"`         // code: (0.8, 0.999)
	EvalBatch    int       `toml:"eval_batch"`
	Seed         int64     `toml:"seed"`
}

// Config is a point's resolved configuration.
type Config struct {
	Data  Data
	Model Model
	Train Train
}

// DefaultConfig is what a spec does not set: the paper's protocol (section IV-B: 20 epochs,
// batch 1, Adam 1e-5, weight decay 1e-3) and the code's CVAE settings.
func DefaultConfig() Config {
	return Config{
		Data: Data{Split: 1, Steps: 32, Seed: 1, Dim: 64, MinSteps: 12, MaxSteps: 32, MinWindow: 0.2, MaxWindow: 0.5,
			Signal: 0.5, FlowSignal: 0.4, Scene: 1, Backgrounds: 8},
		Model: Model{Name: ModelGAF, Streams: "both", Dropout: 0.5, Beta: 0.1, BgWeight: 1, ReconScale: 0.5, CVAE: true},
		Train: Train{Epochs: 20, Batch: 1, LearningRate: 1e-5, WeightDecay: 1e-3, CVAERate: 1e-3, CVAEBetas: []float64{0.8, 0.999},
			EvalBatch: 64, Seed: 1},
	}
}

// ParseConfig decodes and checks a point's configuration.
func ParseConfig(p runner.Point) (Config, error) {
	c := DefaultConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	d, m, t := c.Data, c.Model, c.Train
	switch {
	case d.Dataset != "ucf101":
		return c, spec.Errorf("data.dataset", `want "ucf101", got %q`, d.Dataset)
	case d.Source != "synthetic" && d.Source != "real":
		return c, spec.Errorf("data.source", `want "synthetic" or "real", got %q`, d.Source)
	case d.Split < 1 || d.Split > 3:
		return c, spec.Errorf("data.split", "must be 1..3, got %d", d.Split)
	case d.Classes < 0 || d.Classes == 1 || d.Classes > 101:
		return c, spec.Errorf("data.classes", "must be 0 (all) or 2..101, got %d", d.Classes)
	case d.MaxTrain < 0 || d.MaxTest < 0:
		return c, spec.Errorf("data.max_train_per_class", "per-class caps must be >= 0, got %d and %d", d.MaxTrain, d.MaxTest)
	case d.Steps < 1 || d.Steps > 4096:
		return c, spec.Errorf("data.steps", "must be 1..4096, got %d", d.Steps)
	case m.Name != ModelI3D && m.Name != ModelGAF:
		return c, spec.Errorf("model.name", `want "i3d" or "gaf", got %q`, m.Name)
	case m.Streams != "both" && m.Streams != "rgb" && m.Streams != "flow":
		return c, spec.Errorf("model.streams", `want "both", "rgb" or "flow", got %q`, m.Streams)
	case m.Hidden < 0 || m.CVAEHidden < 0 || m.Latent < 0:
		return c, spec.Errorf("model.hidden", "widths must be >= 0 (0 = default), got %d, %d, %d", m.Hidden, m.CVAEHidden, m.Latent)
	case m.Dropout < 0 || m.Dropout >= 1:
		return c, spec.Errorf("model.dropout", "must be in [0, 1), got %g", m.Dropout)
	case m.Beta < 0 || m.BgWeight < 0 || m.ReconScale < 0:
		return c, spec.Errorf("model.beta", "beta %g, bg_weight %g and recon_weight %g must be >= 0", m.Beta, m.BgWeight, m.ReconScale)
	case t.Epochs < 1 || t.Epochs > 10000:
		return c, spec.Errorf("train.epochs", "must be 1..10000, got %d", t.Epochs)
	case t.Batch < 1 || t.EvalBatch < 1:
		return c, spec.Errorf("train.batch", "batch %d and eval_batch %d must be >= 1", t.Batch, t.EvalBatch)
	case !(t.LearningRate > 0 && t.LearningRate < 10) || !(t.CVAERate > 0 && t.CVAERate < 10):
		return c, spec.Errorf("train.learning_rate", "learning rates must be in (0, 10), got %g and %g", t.LearningRate, t.CVAERate)
	case t.WeightDecay < 0:
		return c, spec.Errorf("train.weight_decay", "must be >= 0, got %g", t.WeightDecay)
	case len(t.CVAEBetas) != 2 || !(t.CVAEBetas[0] >= 0 && t.CVAEBetas[0] < 1 && t.CVAEBetas[1] >= 0 && t.CVAEBetas[1] < 1):
		return c, spec.Errorf("train.cvae_betas", "want two values in [0, 1), got %v", t.CVAEBetas)
	}
	return c, nil
}

// streams returns the stream names and their channel offsets (in units of D).
func (m Model) streams() ([]string, []int) {
	switch m.Streams {
	case "rgb":
		return []string{"rgb"}, []int{0}
	case "flow":
		return []string{"flow"}, []int{1}
	}
	return []string{"rgb", "flow"}, []int{0, 1}
}

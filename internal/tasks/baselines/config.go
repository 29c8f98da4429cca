package baselines

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// Model names of [model] name.
const (
	ModelLabelFrequency = "label-frequency"
	ModelLogReg         = "logreg"
)

// DataConfig is the [data] section.
type DataConfig struct {
	Dataset   string `toml:"dataset"`    // "animalkingdom"
	Source    string `toml:"source"`     // "real" (the ak-text track) or "synthetic" (SynthAK)
	LabelText string `toml:"label_text"` // data.LabelTextName...; real only
	Dim       int    `toml:"dim"`        // embedding width (512)
	MaxTrain  int    `toml:"max_train"`  // 0 = all 24,004 train clips (real), clips per split (synthetic)
	MaxVal    int    `toml:"max_val"`
	Seed      int64  `toml:"seed"` // subset / generator seed
	// Difficulty of the synthetic twin's planted signal, in [0,1].
	Difficulty float64 `toml:"difficulty"`
	ClipDir    string  `toml:"clip_dir"` // optional real CLIP embeddings (see data.AKTextOptions)
	// Eval is the evaluated split of the real track: "val" (default) or
	// "fold0".."fold4", a held-out fold of the TRAIN split (for choosing C).
	Eval string `toml:"eval"`
}

// ModelConfig is the [model] section.
type ModelConfig struct {
	Name string `toml:"name"` // ModelLabelFrequency or ModelLogReg
}

// TrainConfig is the [train] section (logreg only): full-batch L-BFGS, see
// LBFGSConfig.
type TrainConfig struct {
	C       float64 `toml:"c"`        // inverse L2 strength (scikit-learn's C)
	MaxIter int     `toml:"max_iter"` // L-BFGS major iterations
	GradTol float64 `toml:"grad_tol"` // stop when ‖∇(objective/n)‖∞ is below it
}

// ChosenC is the C of the logistic regression on the 512-d LSA features,
// chosen on the held-out TRAIN fold 0_light.csv (never on val) by
// experiments/animalkingdom/text_select_c.toml: the C of the grid with the
// best fold macro mAP. Measured (2026-11-29, max_iter 1000, grad_tol 1e-5):
// C=1 32.15, C=4 34.63, C=16 35.49, C=64 34.26 (iteration limit, gradient
// 4e-5) fold macro mAP.
const ChosenC = 16.0

// DefaultTrainConfig is the logistic-regression recipe every task uses (the
// baselines here and the logreg row of the ARTEMIS text table).
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{C: ChosenC, MaxIter: 1000, GradTol: 1e-5}
}

// LBFGS is the optimiser configuration of the recipe.
func (c TrainConfig) LBFGS() LBFGSConfig {
	return LBFGSConfig{C: c.C, MaxIter: c.MaxIter, GradTol: c.GradTol}
}

// Config is a decoded point.
type Config struct {
	Data  DataConfig
	Model ModelConfig
	Train TrainConfig
}

// DefaultConfig holds the defaults every point starts from.
func DefaultConfig() Config {
	return Config{
		Data:  DataConfig{Dataset: "animalkingdom", Source: "real", LabelText: data.LabelTextName, Dim: 512, Seed: 1, Difficulty: 0.5, Eval: "val"},
		Model: ModelConfig{Name: ModelLogReg},
		Train: DefaultTrainConfig(),
	}
}

// Decode reads a point's sections strictly over DefaultConfig.
func Decode(p runner.Point) (Config, error) {
	c := DefaultConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c Config) validate() error {
	switch {
	case c.Data.Dataset != "animalkingdom":
		return fmt.Errorf("data.dataset: %q, this task runs on \"animalkingdom\"", c.Data.Dataset)
	case c.Data.Source != "real" && c.Data.Source != "synthetic":
		return fmt.Errorf("data.source: %q, want \"real\" or \"synthetic\"", c.Data.Source)
	case c.Data.Dim <= 0:
		return fmt.Errorf("data.dim: %d, want > 0", c.Data.Dim)
	case c.Data.MaxTrain < 0 || c.Data.MaxVal < 0:
		return fmt.Errorf("data.max_train / data.max_val: negative")
	case c.Data.Difficulty < 0 || c.Data.Difficulty > 1:
		return fmt.Errorf("data.difficulty: %v outside [0,1]", c.Data.Difficulty)
	case c.Data.Source == "synthetic" && c.Data.Eval != "val":
		return fmt.Errorf("data.eval: %q, the synthetic twin has only its val split", c.Data.Eval)
	case c.Model.Name != ModelLabelFrequency && c.Model.Name != ModelLogReg:
		return fmt.Errorf("model.name: %q, want %q or %q", c.Model.Name, ModelLabelFrequency, ModelLogReg)
	case c.Train.C <= 0:
		return fmt.Errorf("train.c: %v, want > 0", c.Train.C)
	case c.Train.MaxIter <= 0:
		return fmt.Errorf("train.max_iter: %d, want > 0", c.Train.MaxIter)
	case c.Train.GradTol <= 0:
		return fmt.Errorf("train.grad_tol: %v, want > 0", c.Train.GradTol)
	}
	switch c.Data.Eval {
	case "val", "fold0", "fold1", "fold2", "fold3", "fold4":
	default:
		return fmt.Errorf("data.eval: %q, want \"val\" or \"fold0\" ... \"fold4\"", c.Data.Eval)
	}
	switch c.Data.LabelText {
	case data.LabelTextName, data.LabelTextDescription, data.LabelTextNameDescription:
	default:
		return fmt.Errorf("data.label_text: %q, want %q, %q or %q", c.Data.LabelText, data.LabelTextName, data.LabelTextDescription, data.LabelTextNameDescription)
	}
	return nil
}

// LoadTrack loads the track a config names: the real ak-text track from
// dataRoot, or a SynthAK twin with E = Dim.
func LoadTrack(c DataConfig, dataRoot string) (*data.AKTrack, error) {
	if c.Source == "synthetic" {
		n, v := c.MaxTrain, c.MaxVal
		if n == 0 {
			n = 24004
		}
		if v == 0 {
			v = 6096
		}
		return data.SynthAK(data.SynthAKOptions{Seed: c.Seed, NTrain: n, NVal: v, E: c.Dim, T: 1, D: 1, Difficulty: c.Difficulty})
	}
	root := data.DataRoot(dataRoot)
	if root == "" {
		return nil, fmt.Errorf("data.source = \"real\" needs the Animal Kingdom files: pass --data-root or set $%s (see README, section Data)", data.EnvDataRoot)
	}
	return data.LoadAKText(root, data.AKTextOptions{Dim: c.Dim, LabelText: c.LabelText, MaxTrain: c.MaxTrain, MaxVal: c.MaxVal, Seed: c.Seed, ClipDir: c.ClipDir, Eval: c.Eval})
}

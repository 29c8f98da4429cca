package ucf50

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// DataConfig is the [data] section of experiments/ucf50/*.toml.
type DataConfig struct {
	Dataset string `toml:"dataset"` // "ucf50"
	Source  string `toml:"source"`  // "synthetic" or "real"
	// Dir is the UCF50 directory (class folders of .avi files). For real
	// data it is relative to the data root ($ACTREPRO_DATA), default
	// "UCF50". For synthetic data it is where the twin is written and read;
	// empty means a cache directory under the system's temp dir keyed by
	// the generator's options.
	Dir     string   `toml:"dir"`
	Classes []string `toml:"classes"` // the paper's four classes

	Frames int `toml:"frames"` // frames per video, 20 (SEQUENCE_LENGTH)
	Size   int `toml:"size"`   // frames resized to Size x Size, 64

	// TestFraction is train_test_split's test_size (0.25), shuffled with
	// SplitSeed (27); ValFraction is Keras's validation_split (0.2): the
	// last fraction of the remaining clips.
	TestFraction float64 `toml:"test_fraction"`
	SplitSeed    uint64  `toml:"split_seed"`
	ValFraction  float64 `toml:"val_fraction"`

	// Synthetic twin (ignored for real data).
	Seed       uint64  `toml:"seed"`       // generator seed
	Difficulty float64 `toml:"difficulty"` // 0..1
	PerClass   []int   `toml:"per_class"`  // videos per class; default UCF50's counts
	Width      int     `toml:"width"`      // written frame size (default 160x120)
	Height     int     `toml:"height"`
	MinFrames  int     `toml:"min_frames"` // clip lengths (default 40..90)
	MaxFrames  int     `toml:"max_frames"`
}

// ModelConfig is the [model] section.
type ModelConfig struct {
	Name string `toml:"name"` // "convlstm" or "lrcn"
	// RecurrentActivation of the ConvLSTM gates: "hard_sigmoid" (tf.keras
	// 2.x default, the authors' code) or "sigmoid" (Keras 3).
	RecurrentActivation string `toml:"recurrent_activation"`
	// Pools are the LRCN's max-pool windows after its four Conv2D layers:
	// the paper's [4, 4, 2, 2] on 64x64 frames; a smaller data.size needs
	// smaller windows (e.g. [2, 4, 2, 2] on 32x32 keeps one 64-vector per
	// frame and the same parameter count).
	Pools []int `toml:"pools"`
}

// TrainConfig is the [train] section: section 6 of the paper (30 epochs,
// patience 5) or the tutorial code it derives from (50 epochs patience 10
// for ConvLSTM, 70 epochs patience 15 for LRCN).
type TrainConfig struct {
	// Protocol is "paper" (Epochs and Patience as given; section 6 says 30
	// and 5) or "tutorial" (the code the authors derive from: 50 epochs
	// patience 10 for ConvLSTM, 70 epochs patience 15 for LRCN, replacing
	// Epochs and Patience).
	Protocol     string  `toml:"protocol"`
	Epochs       int     `toml:"epochs"`
	Patience     int     `toml:"patience"` // 0 disables early stopping
	BatchSize    int     `toml:"batch_size"`
	LearningRate float64 `toml:"learning_rate"`
	Seed         uint64  `toml:"seed"`
	RestoreBest  bool    `toml:"restore_best"`
}

// Config is a resolved point's configuration.
type Config struct {
	Data  DataConfig
	Model ModelConfig
	Train TrainConfig
}

// Training protocols.
const (
	ProtocolPaper    = "paper"
	ProtocolTutorial = "tutorial"
)

// Model names.
const (
	ModelConvLSTM = "convlstm"
	ModelLRCN     = "lrcn"
)

// DefaultConfig is the paper's protocol on the synthetic twin.
func DefaultConfig() Config {
	return Config{
		Data: DataConfig{
			Dataset: "ucf50", Source: "synthetic", Classes: append([]string(nil), data.UCF50Classes...),
			Frames: 20, Size: 64, TestFraction: 0.25, SplitSeed: 27, ValFraction: 0.2,
			Seed: 1, Difficulty: 0.3,
		},
		Model: ModelConfig{Name: ModelConvLSTM, RecurrentActivation: convlstm.ActivationHardSigmoid},
		Train: TrainConfig{Protocol: ProtocolPaper, Epochs: 30, Patience: 5, BatchSize: 4, LearningRate: 1e-3, Seed: 27, RestoreBest: true},
	}
}

// ParseConfig decodes a point's sections strictly over the defaults and
// checks the values; errors name the dotted key.
func ParseConfig(p runner.Point) (Config, error) {
	c := DefaultConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	if c.Train.Protocol == ProtocolTutorial {
		c.Train.Epochs, c.Train.Patience = 50, 10 // ConvLSTM in the tutorial code
		if c.Model.Name == ModelLRCN {
			c.Train.Epochs, c.Train.Patience = 70, 15
		}
	}
	return c, nil
}

// Validate checks the values, naming the key of the first bad one.
func (c Config) Validate() error {
	d, m, t := c.Data, c.Model, c.Train
	switch {
	case d.Dataset != "ucf50":
		return spec.Errorf("data.dataset", "want \"ucf50\", got %q", d.Dataset)
	case d.Source != "synthetic" && d.Source != "real":
		return spec.Errorf("data.source", "want \"synthetic\" or \"real\", got %q", d.Source)
	case len(d.Classes) < 2:
		return spec.Errorf("data.classes", "need at least 2 classes, got %d", len(d.Classes))
	case d.Source == "synthetic" && len(d.Classes) != len(data.UCF50Classes):
		return spec.Errorf("data.classes", "the synthetic twin has the %d classes %v", len(data.UCF50Classes), data.UCF50Classes)
	case d.Frames < 1:
		return spec.Errorf("data.frames", "must be positive, got %d", d.Frames)
	case d.Size < 1:
		return spec.Errorf("data.size", "must be positive, got %d", d.Size)
	case d.TestFraction <= 0 || d.TestFraction >= 1:
		return spec.Errorf("data.test_fraction", "must be in (0,1), got %g", d.TestFraction)
	case d.ValFraction < 0 || d.ValFraction >= 1:
		return spec.Errorf("data.val_fraction", "must be in [0,1), got %g", d.ValFraction)
	case d.Difficulty < 0 || d.Difficulty > 1:
		return spec.Errorf("data.difficulty", "must be in [0,1], got %g", d.Difficulty)
	case d.PerClass != nil && len(d.PerClass) != len(data.UCF50Classes):
		return spec.Errorf("data.per_class", "want %d counts, got %d", len(data.UCF50Classes), len(d.PerClass))
	case t.Protocol != ProtocolPaper && t.Protocol != ProtocolTutorial:
		return spec.Errorf("train.protocol", "want %q or %q, got %q", ProtocolPaper, ProtocolTutorial, t.Protocol)
	case t.Epochs < 1:
		return spec.Errorf("train.epochs", "must be positive, got %d", t.Epochs)
	case t.Patience < 0:
		return spec.Errorf("train.patience", "must be >= 0, got %d", t.Patience)
	case t.BatchSize < 1:
		return spec.Errorf("train.batch_size", "must be positive, got %d", t.BatchSize)
	case t.LearningRate <= 0:
		return spec.Errorf("train.learning_rate", "must be positive, got %g", t.LearningRate)
	}
	for i, n := range d.PerClass {
		if n < 0 {
			return spec.Errorf(fmt.Sprintf("data.per_class[%d]", i), "must be >= 0, got %d", n)
		}
	}
	switch m.Name {
	case ModelConvLSTM:
		if err := c.ConvLSTM().Validate(); err != nil {
			return spec.Errorf("model", "%v", err)
		}
	case ModelLRCN:
		if err := c.LRCN().Validate(); err != nil {
			return spec.Errorf("model", "%v", err)
		}
	default:
		return spec.Errorf("model.name", "want %q or %q, got %q", ModelConvLSTM, ModelLRCN, m.Name)
	}
	return nil
}

// ConvLSTM is the model configuration of the point (the paper's Figure 1
// architecture on the point's input size).
func (c Config) ConvLSTM() convlstm.Config {
	m := convlstm.DefaultConfig()
	m.Frames, m.Height, m.Width, m.Classes = c.Data.Frames, c.Data.Size, c.Data.Size, len(c.Data.Classes)
	m.RecurrentActivation = c.Model.RecurrentActivation
	return m
}

// LRCN is the model configuration of the point (the paper's Figure 2
// architecture on the point's input size).
func (c Config) LRCN() lrcn.Config {
	m := lrcn.DefaultConfig()
	m.Frames, m.Height, m.Width, m.Classes = c.Data.Frames, c.Data.Size, c.Data.Size, len(c.Data.Classes)
	if c.Model.Pools != nil {
		m.Pools = c.Model.Pools
	}
	return m
}

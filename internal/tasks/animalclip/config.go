package animalclip

import (
	"fmt"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// Methods of a variant.
const (
	MethodLabelFrequency = "label-frequency" // train prevalence of each class, no input
	MethodSpeciesPrior   = "species-prior"   // P(action | species) from train counts
	MethodGraphPrior     = "graph-prior"     // 1 if (species, action) is an edge of the graph
	MethodAnimalCLIP     = "animalclip"      // the Animal-CLIP head, trained
)

// Variant is one row: a method, the graph it reads, the species it is
// given at evaluation, and the Animal-CLIP modules it drops.
type Variant struct {
	Method  string
	Graph   string // "shipped" (the relation file, train ∪ val pairs) or "train" (train pairs only)
	Species string // "true" (the val species file, as the code does) or "predicted" (from the description)
	Drop    string // "", "gcn", "text_prompt" or "video_prompt"
}

// Variants are the values of model.variant.
var Variants = map[string]Variant{
	"label-frequency":                {MethodLabelFrequency, "", "", ""},
	"species-prior":                  {MethodSpeciesPrior, "", "true", ""},
	"species-prior/predicted":        {MethodSpeciesPrior, "", "predicted", ""},
	"graph-prior/shipped":            {MethodGraphPrior, "shipped", "true", ""},
	"graph-prior/train":              {MethodGraphPrior, "train", "true", ""},
	"graph-prior/train/predicted":    {MethodGraphPrior, "train", "predicted", ""},
	"animalclip/shipped":             {MethodAnimalCLIP, "shipped", "true", ""},
	"animalclip/train":               {MethodAnimalCLIP, "train", "true", ""},
	"animalclip/shipped/predicted":   {MethodAnimalCLIP, "shipped", "predicted", ""},
	"animalclip/train/predicted":     {MethodAnimalCLIP, "train", "predicted", ""},
	"animalclip/shipped/-gcn":        {MethodAnimalCLIP, "shipped", "true", "gcn"},
	"animalclip/shipped/-textprompt": {MethodAnimalCLIP, "shipped", "true", "text_prompt"},
	"animalclip/shipped/-vidprompt":  {MethodAnimalCLIP, "shipped", "true", "video_prompt"},
	"animalclip/shipped/-prompts":    {MethodAnimalCLIP, "shipped", "true", "prompts"},
}

// VariantNames lists Variants sorted.
func VariantNames() []string {
	out := make([]string, 0, len(Variants))
	for k := range Variants {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DataConfig is the [data] section.
type DataConfig struct {
	Dataset  string `toml:"dataset"`   // "animalkingdom"
	Source   string `toml:"source"`    // "real" or "twin" (the feature-level twin, see twin.go)
	Dim      int    `toml:"dim"`       // text-encoder width D (CLIP: 512)
	MaxTrain int    `toml:"max_train"` // 0 = every train clip
	MaxVal   int    `toml:"max_val"`   // 0 = every val clip
	Seed     int64  `toml:"seed"`      // subset / twin seed
	// Twin only: frames per clip, frame-feature width and signal strength.
	Frames     int     `toml:"frames"`
	FrameDim   int     `toml:"frame_dim"`
	Difficulty float64 `toml:"difficulty"`
}

// ModelConfig is the [model] section.
type ModelConfig struct {
	Variant      string  `toml:"variant"`         // a key of Variants
	GCNHidden    int     `toml:"gcn_hidden"`      // 0: dim/2 (the code's 512→256→512)
	PromptLayers int     `toml:"prompt_layers"`   // the code: 3
	Heads        int     `toml:"heads"`           // 0: dim/64, at least 1
	Alpha        float64 `toml:"alpha"`           // the code: 0.1
	VideoLayers  int     `toml:"video_layers"`    // twin: MIT layers (the code: 1)
	Smoothing    float64 `toml:"prior_smoothing"` // species prior: pseudo-count toward the train prevalence
}

// TrainConfig is the [train] section.
type TrainConfig struct {
	Epochs       int     `toml:"epochs"`
	Batch        int     `toml:"batch"`
	LearningRate float64 `toml:"lr"`
	Seed         int64   `toml:"seed"`
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
		Data:  DataConfig{Dataset: "animalkingdom", Source: "real", Dim: 128, Seed: 1, Frames: 8, FrameDim: 32, Difficulty: 0.5},
		Model: ModelConfig{Variant: "animalclip/shipped", PromptLayers: 3, Alpha: 0.1, VideoLayers: 1, Smoothing: 1},
		Train: TrainConfig{Epochs: 3, Batch: 32, LearningRate: 1e-3, Seed: 1},
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
	case c.Data.Source != "real" && c.Data.Source != "twin":
		return fmt.Errorf("data.source: %q, want \"real\" or \"twin\"", c.Data.Source)
	case c.Data.Dim < 2:
		return fmt.Errorf("data.dim: %d, want >= 2", c.Data.Dim)
	case c.Data.MaxTrain < 0 || c.Data.MaxVal < 0:
		return fmt.Errorf("data.max_train / data.max_val: negative")
	case c.Data.Frames < 1 || c.Data.FrameDim < 1:
		return fmt.Errorf("data.frames %d / data.frame_dim %d: want >= 1", c.Data.Frames, c.Data.FrameDim)
	case c.Data.Difficulty < 0 || c.Data.Difficulty > 1:
		return fmt.Errorf("data.difficulty: %v outside [0, 1]", c.Data.Difficulty)
	case c.Model.GCNHidden < 0 || c.Model.Heads < 0 || c.Model.PromptLayers < 1 || c.Model.VideoLayers < 0:
		return fmt.Errorf("model: gcn_hidden %d, heads %d, prompt_layers %d, video_layers %d out of range", c.Model.GCNHidden, c.Model.Heads, c.Model.PromptLayers, c.Model.VideoLayers)
	case c.Model.Smoothing < 0:
		return fmt.Errorf("model.prior_smoothing: %v, want >= 0", c.Model.Smoothing)
	case c.Train.Epochs < 1 || c.Train.Batch < 1 || !(c.Train.LearningRate > 0):
		return fmt.Errorf("train: epochs %d, batch %d, lr %v: want positive", c.Train.Epochs, c.Train.Batch, c.Train.LearningRate)
	}
	if _, ok := Variants[c.Model.Variant]; !ok {
		return fmt.Errorf("model.variant: %q, want one of %s", c.Model.Variant, strings.Join(VariantNames(), ", "))
	}
	return nil
}

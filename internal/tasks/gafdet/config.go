package gafdet

import (
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// Model names of model.name: the AFSD baseline and the three loss rows of Table IV (the last is
// the full GAF of Tables I, III, V and VII). The GAF code has no ablation flags; this mapping of
// the rows to the code's terms is ours (the [paper] notes say so).
const (
	ModelAFSD     = "afsd"       // AFSD on the features (no λ)
	ModelGAFAI    = "gaf-ai"     // λ and L_ai only (bg weight 0, no CVAE)
	ModelGAFAINAI = "gaf-ai-nai" // + L_n-ai (bg weight model.bg_weight), no CVAE
	ModelGAF      = "gaf"        // + the CVAE (two passes per epoch) and L_R
)

// Data is the [data] section.
type Data struct {
	Dataset string `toml:"dataset,required"` // "thumos14"
	Source  string `toml:"source,required"`  // "synthetic" (the ground-truth-anchored twin) or "real"
	Dir     string `toml:"dir"`              // real: feature folder (default <root>/thumos14/i3d_features)
	// Videos caps the videos per split (validation for training, test for evaluation), in
	// order of id; 0 = all (200 / 212). With a cap the ground truth is restricted to the test
	// videos kept.
	Videos int `toml:"videos"`
	// FPS is the frame grid the windows are cut on: 10 (the code: *_video_info.csv sample_fps,
	// video2npy.py:25) or the paper's 25 (section IV-B); the window stays 256 frames.
	FPS float64 `toml:"fps"`
	// Twin knobs (source = "synthetic").
	Seed       int64   `toml:"seed"`
	Dim        int     `toml:"dim"`      // channels per stream (I3D: 1024)
	RGBSNR     float64 `toml:"rgb_snr"`  // planted amplitude along the class direction, noise sd units
	FlowSNR    float64 `toml:"flow_snr"` // flow is the stronger stream on THUMOS14
	AR         float64 `toml:"ar"`       // lag-1 noise autocorrelation
	Difficulty float64 `toml:"difficulty"`
	// Protocol is the evaluation protocol: "afsd" (AFSD's and GAF's evaluator drops predictions
	// on videos missing from the ground truth, evaluation/eval_detection.py:136-140) or
	// "activitynet" (the official code: they count as false positives).
	Protocol string `toml:"protocol"`
}

// Model is the [model] section.
type Model struct {
	Name         string  `toml:"name"`
	Streams      string  `toml:"streams"`       // "both" (two networks, outputs averaged, test.py:141-145), "rgb", "flow", "concat" (one network on RGB‖flow, a cost-saving deviation)
	Channels     int     `toml:"channels"`      // AFSD: 512
	Groups       int     `toml:"groups"`        // AFSD: 32
	LambdaHidden int     `toml:"lambda_hidden"` // GAF code: 512
	CVAEHidden   int     `toml:"cvae_hidden"`   // GAF code: the tap's channels (1024 / 832)
	Latent       int     `toml:"latent"`        // GAF code: = channels
	Beta         float64 `toml:"beta"`          // KL weight (code 0.1, multisegment_loss.py:29)
	BgWeight     float64 `toml:"bg_weight"`     // L_n-ai weight: 35 THUMOS14 (train.py:293), 700 ActivityNet
	ReconWeight  float64 `toml:"recon_weight"`  // L_R weight at the last epoch (0.5·epoch/max_epoch, train.py:340)
	Pool         string  `toml:"pool"`          // "code" (F⊙λ/Σλ over the window) or "eq11" (weights averaging one)
	ReconTarget  string  `toml:"recon_target"`  // "background" (the code's aliasing, train.py:272-273/333-335) or "feature" (Eq. 15)
	FlowLambda   bool    `toml:"flow_lambda_at_test"`
	NMSSigma     float64 `toml:"nms_sigma"`     // AFSD 0.5; GAF's yaml 0.01
	SoftNMSQuirk bool    `toml:"softnms_quirk"` // AFSD's softnms_v2 drops the last candidate (segment_utils.py:135)
	ConfThresh   float64 `toml:"conf_thresh"`   // 0.01
	TopK         int     `toml:"top_k"`         // 5000 per class and video
	PreNMSTopK   int     `toml:"pre_nms_topk"`  // candidates per class and video kept before soft-NMS (0 = all, AFSD)
	// LocInit > 0 initialises the coarse regression head's biases to log(LocInit frames)
	// (afsd.Config.LocInit; a reduced-scale choice); 0 = the code's default init.
	LocInit float64 `toml:"loc_init"`
}

// Train is the [train] section.
type Train struct {
	Epochs       int       `toml:"epochs"`
	Batch        int       `toml:"batch"`
	LearningRate float64   `toml:"learning_rate"`
	WeightDecay  float64   `toml:"weight_decay"`
	CVAERate     float64   `toml:"cvae_learning_rate"` // code: Adam 1e-3 (train.py:423)
	CVAEBetas    []float64 `toml:"cvae_betas"`         // code: (0.8, 0.999)
	MaxWindows   int       `toml:"max_windows"`        // windows per epoch (a fixed random subset each epoch; 0 = all)
	// Holdout, when > 0, is hyperparameter selection on the TRAINING data: the last Holdout
	// validation videos (in id order, after data.videos' cap) are held out of training and
	// evaluated instead of the test split, against their own annotations
	// (thumos14.json "Validation", ActionFormer's file). The test videos are not read.
	Holdout int   `toml:"holdout"`
	Seed    int64 `toml:"seed"`
}

// Config is a point's resolved configuration.
type Config struct {
	Data  Data
	Model Model
	Train Train
	// anet selects AFSD's ActivityNet geometry (anet.go): one 768-frame window per video,
	// the 5c-only pyramid with fpn strides and the per-level assignment bounds.
	anet bool
}

// DefaultConfig is AFSD's and GAF's THUMOS14 settings where a spec says nothing.
func DefaultConfig() Config {
	return Config{
		Data: Data{Seed: 1, Dim: 1024, RGBSNR: 1.5, FlowSNR: 2.5, AR: 0.6, Difficulty: 0.5, Protocol: "afsd", FPS: 10},
		Model: Model{Name: ModelGAF, Streams: "both", Channels: 512, Groups: 32, LambdaHidden: 512, CVAEHidden: 1024, Latent: 1024,
			Beta: 0.1, BgWeight: 35, ReconWeight: 0.5, Pool: "code", ReconTarget: "background", NMSSigma: 0.5, SoftNMSQuirk: true,
			ConfThresh: 0.01, TopK: 5000},
		Train: Train{Epochs: 16, Batch: 1, LearningRate: 1e-5, WeightDecay: 1e-3, CVAERate: 1e-3, CVAEBetas: []float64{0.8, 0.999}, Seed: 1},
	}
}

// ParseConfig decodes and checks a point's configuration.
func ParseConfig(p runner.Point) (Config, error) {
	c := DefaultConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	if c.Data.Dataset != "thumos14" {
		return c, spec.Errorf("data.dataset", `want "thumos14", got %q`, c.Data.Dataset)
	}
	return c, c.check()
}

// check validates a decoded configuration (shared by the THUMOS14 and ActivityNet tasks).
func (c Config) check() error {
	d, m, t := c.Data, c.Model, c.Train
	switch {
	case d.Source != "synthetic" && d.Source != "real":
		return spec.Errorf("data.source", `want "synthetic" or "real", got %q`, d.Source)
	case d.Videos < 0:
		return spec.Errorf("data.videos", "must be >= 0 (0 = all), got %d", d.Videos)
	case !(d.FPS >= 1 && d.FPS <= 60):
		return spec.Errorf("data.fps", "must be in [1, 60], got %g", d.FPS)
	case d.Dim < 1:
		return spec.Errorf("data.dim", "must be >= 1, got %d", d.Dim)
	case m.Name != ModelAFSD && m.Name != ModelGAFAI && m.Name != ModelGAFAINAI && m.Name != ModelGAF:
		return spec.Errorf("model.name", `want "afsd", "gaf-ai", "gaf-ai-nai" or "gaf", got %q`, m.Name)
	case m.Streams != "both" && m.Streams != "rgb" && m.Streams != "flow" && m.Streams != "concat":
		return spec.Errorf("model.streams", `want "both", "rgb", "flow" or "concat", got %q`, m.Streams)
	case m.Channels < 2 || m.Groups < 1 || m.Channels%m.Groups != 0:
		return spec.Errorf("model.channels", "channels %d must be >= 2 and divisible by groups %d", m.Channels, m.Groups)
	case m.LambdaHidden < 1 || m.LambdaHidden%m.Groups != 0 || m.CVAEHidden < 1 || m.Latent < 1:
		return spec.Errorf("model.lambda_hidden", "λ hidden %d (divisible by groups), cvae hidden %d and latent %d must be >= 1", m.LambdaHidden, m.CVAEHidden, m.Latent)
	case m.Pool != "code" && m.Pool != "eq11":
		return spec.Errorf("model.pool", `want "code" or "eq11", got %q`, m.Pool)
	case m.ReconTarget != "background" && m.ReconTarget != "feature":
		return spec.Errorf("model.recon_target", `want "background" or "feature", got %q`, m.ReconTarget)
	case m.Beta < 0 || m.BgWeight < 0 || m.ReconWeight < 0:
		return spec.Errorf("model.beta", "beta %g, bg_weight %g and recon_weight %g must be >= 0", m.Beta, m.BgWeight, m.ReconWeight)
	case !(m.LocInit >= 0 && m.LocInit < 256):
		return spec.Errorf("model.loc_init", "must be in [0, 256) frames (0 = default init), got %g", m.LocInit)
	case m.PreNMSTopK < 0:
		return spec.Errorf("model.pre_nms_topk", "must be >= 0 (0 = all), got %d", m.PreNMSTopK)
	case !(m.NMSSigma > 0) || !(m.ConfThresh >= 0 && m.ConfThresh < 1) || m.TopK < 1:
		return spec.Errorf("model.nms_sigma", "nms_sigma %g > 0, conf_thresh %g in [0, 1), top_k %d >= 1", m.NMSSigma, m.ConfThresh, m.TopK)
	case t.Epochs < 1 || t.Epochs > 10000:
		return spec.Errorf("train.epochs", "must be 1..10000, got %d", t.Epochs)
	case t.Holdout < 0:
		return spec.Errorf("train.holdout", "must be >= 0 (0 = evaluate on the test split), got %d", t.Holdout)
	case t.Batch < 1 || t.MaxWindows < 0:
		return spec.Errorf("train.batch", "batch %d >= 1, max_windows %d >= 0", t.Batch, t.MaxWindows)
	case !(t.LearningRate > 0 && t.LearningRate < 10) || !(t.CVAERate > 0 && t.CVAERate < 10):
		return spec.Errorf("train.learning_rate", "learning rates must be in (0, 10), got %g and %g", t.LearningRate, t.CVAERate)
	case t.WeightDecay < 0:
		return spec.Errorf("train.weight_decay", "must be >= 0, got %g", t.WeightDecay)
	case len(t.CVAEBetas) != 2 || !(t.CVAEBetas[0] >= 0 && t.CVAEBetas[0] < 1 && t.CVAEBetas[1] >= 0 && t.CVAEBetas[1] < 1):
		return spec.Errorf("train.cvae_betas", "want two values in [0, 1), got %v", t.CVAEBetas)
	case d.Protocol != "afsd" && d.Protocol != "activitynet":
		return spec.Errorf("data.protocol", `want "afsd" or "activitynet", got %q`, d.Protocol)
	}
	return nil
}

// isGAF, bgWeight and useCVAE give a model row's loss terms (Table IV).
func (m Model) isGAF() bool { return m.Name != ModelAFSD }
func (m Model) bgWeight() float64 {
	if m.Name == ModelGAFAINAI || m.Name == ModelGAF {
		return m.BgWeight
	}
	return 0
}
func (m Model) useCVAE() bool { return m.Name == ModelGAF }

// streams returns the networks' names and, for each, the channel ranges of RGB‖flow it reads
// (in units of the per-stream width).
func (m Model) streams() ([]string, [][2]int) {
	switch m.Streams {
	case "rgb":
		return []string{"rgb"}, [][2]int{{0, 1}}
	case "flow":
		return []string{"flow"}, [][2]int{{1, 2}}
	case "concat":
		return []string{"concat"}, [][2]int{{0, 2}}
	}
	return []string{"rgb", "flow"}, [][2]int{{0, 1}, {1, 2}}
}

package artemistables

import (
	"context"
	"fmt"
	"strings"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data/baboonland"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/tasks/artemis"
)

// BaboonTaskName is Table 7's task.
const BaboonTaskName = "artemis-baboonland"

func init() { runner.Register(BaboonTaskName, BaboonTask{}) }

// BaboonLand tracks.
const (
	// TrackTwin is the synthetic twin (baboonland.Twin): real ids and
	// descriptions, invented labels, planted features.
	TrackTwin = "twin"
	// TrackText is the real labels and descriptions, text-only
	// (baboonland.LoadText); needs the user's train.csv and val.csv.
	TrackText = "text"
)

// BaboonData is Table 7's [data] section.
type BaboonData struct {
	Dataset string `toml:"dataset,required"` // "baboonland"
	Source  string `toml:"source,required"`  // "synthetic" (track twin) or "real" (track text)
	Track   string `toml:"track,required"`   // TrackTwin or TrackText
	// Rule labels a clip: "sampled" (default: the OR over the frames
	// sampled, as the authors' follow-up code) or "union" (all frames).
	Rule   string `toml:"rule"`
	Frames int    `toml:"frames"` // T: frames sampled per clip (16)
	Seed   int64  `toml:"seed"`
	// Twin.
	NTrain     int     `toml:"n_train"`   // 0 with n_val 0: every real description id, split 75/25
	NVal       int     `toml:"n_val"`     //
	VideoDim   int     `toml:"video_dim"` // D of the planted video tokens
	EmbedDim   int     `toml:"embed_dim"` // E of descriptions, image and class queries (both tracks)
	Difficulty float64 `toml:"difficulty"`
}

// BaboonConfig is a Table 7 point: the data above with the ARTEMIS task's
// own [model] and [train] sections (internal/tasks/artemis).
type BaboonConfig struct {
	Data  BaboonData
	Model artemis.Model
	Train artemis.Train
}

// DecodeBaboon reads a Table 7 point.
func DecodeBaboon(p runner.Point) (BaboonConfig, artemis.Config, error) {
	def := artemis.DefaultConfig()
	c := BaboonConfig{Model: def.Model, Train: def.Train}
	c.Data = BaboonData{Rule: baboonland.RuleSampled, Frames: 16, Seed: 1, VideoDim: 768, EmbedDim: 512, Difficulty: 0.5}
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, artemis.Config{}, err
	}
	d := c.Data
	switch {
	case d.Dataset != "baboonland":
		return c, artemis.Config{}, spec.Errorf("data.dataset", `want "baboonland", got %q`, d.Dataset)
	case d.Track != TrackTwin && d.Track != TrackText:
		return c, artemis.Config{}, spec.Errorf("data.track", "want %q or %q, got %q", TrackTwin, TrackText, d.Track)
	case d.Track == TrackTwin && d.Source != "synthetic":
		return c, artemis.Config{}, spec.Errorf("data.source", `track "twin" is synthetic data; got source %q`, d.Source)
	case d.Track == TrackText && d.Source != "real":
		return c, artemis.Config{}, spec.Errorf("data.source", `track "text" reads the real label files; got source %q`, d.Source)
	case d.Rule != baboonland.RuleSampled && d.Rule != baboonland.RuleUnion:
		return c, artemis.Config{}, spec.Errorf("data.rule", "want %q or %q, got %q", baboonland.RuleSampled, baboonland.RuleUnion, d.Rule)
	case d.Frames < 1 || d.Frames > 1024:
		return c, artemis.Config{}, spec.Errorf("data.frames", "must be 1..1024, got %d", d.Frames)
	case d.NTrain < 0 || d.NVal < 0 || (d.NTrain == 0) != (d.NVal == 0):
		return c, artemis.Config{}, spec.Errorf("data.n_train", "n_train and n_val must both be 0 (all ids) or both positive")
	case d.VideoDim < 1 || d.EmbedDim < 2:
		return c, artemis.Config{}, spec.Errorf("data.embed_dim", "video_dim and embed_dim must be positive")
	case !(d.Difficulty >= 0 && d.Difficulty <= 1):
		return c, artemis.Config{}, spec.Errorf("data.difficulty", "must be in [0,1], got %g", d.Difficulty)
	case c.Train.Select != artemis.SelectLast:
		// select = "best" holds out an Animal Kingdom fold; BaboonLand has none here.
		return c, artemis.Config{}, spec.Errorf("train.select", `only "last" (the authors' code) on BaboonLand, got %q`, c.Train.Select)
	}
	if c.Model.Preset != "" {
		pr, ok := artemis.Presets[c.Model.Preset]
		if !ok || pr.TextLayer == "" {
			return c, artemis.Config{}, spec.Errorf("model.preset", "unknown preset %q", c.Model.Preset)
		}
		r := pr.Residuals
		c.Model.TextLayer, c.Model.RHv, c.Model.RSeq, c.Model.RB, c.Model.RHq, c.Model.FR = pr.TextLayer, r.Hv, r.Seq, r.Backbone, r.Hq, r.F
	}
	// The ARTEMIS task's config: the twin runs like its synthetic track
	// (F of width E), the text track like ak-text (text-only).
	ac := artemis.Config{Model: c.Model, Train: c.Train}
	ac.Data = artemis.Data{Dataset: "animalkingdom", Source: d.Source, Track: artemis.TrackSynthetic, Seed: d.Seed,
		Frames: d.Frames, VideoDim: d.VideoDim, EmbedDim: d.EmbedDim, Classes: len(baboonland.Classes)}
	if d.Track == TrackText {
		ac.Data.Track = artemis.TrackAKText
	}
	mc := ac.ModelConfig(d.Frames, d.VideoDim, d.EmbedDim, len(baboonland.Classes))
	if d.Track == TrackText {
		mc.TextOnly = true
	}
	if err := mc.Validate(); err != nil {
		return c, ac, spec.Errorf("model", "%v", err)
	}
	if err := ac.TrainerConfig().Validate(); err != nil {
		return c, ac, spec.Errorf("train", "%v", err)
	}
	return c, ac, nil
}

// BaboonTask is the runner.Task of Table 7.
type BaboonTask struct{}

// Version is folded into the points' hashes.
func (BaboonTask) Version() string { return "artemis-baboonland-1" }

// Validate implements runner.Task.
func (BaboonTask) Validate(p runner.Point) error { _, _, err := DecodeBaboon(p); return err }

// Run builds the track and trains ARTEMIS on it with the ARTEMIS task's
// training and evaluation (artemis.Fit). Animal Kingdom's head/middle/tail
// segments do not apply to BaboonLand and are dropped.
func (BaboonTask) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	c, ac, err := DecodeBaboon(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	o := baboonland.TrackOptions{Root: env.DataRoot, Rule: c.Data.Rule, Frames: c.Data.Frames, E: c.Data.EmbedDim,
		Seed: c.Data.Seed, D: c.Data.VideoDim, NTrain: c.Data.NTrain, NVal: c.Data.NVal, Difficulty: c.Data.Difficulty}
	var notes []string
	if c.Data.Track == TrackText {
		if !baboonland.LabelFilesPresent(env.DataRoot) {
			return runner.Outcome{}, fmt.Errorf("track %q needs BaboonLand's label files %s and %s under %s/%s (from the Hugging Face dataset imageomics/BaboonLand, folder \"Dataset Viewer\"; see README, \"BaboonLand labels\")",
				TrackText, baboonland.TrainFile, baboonland.ValFile, env.DataRoot, baboonland.Dir)
		}
	}
	backend, err := purego.New(env.Backend)
	if err != nil {
		return runner.Outcome{}, err
	}
	defer backend.Finalize()
	var out runner.Outcome
	if c.Data.Track == TrackText {
		track, err := baboonland.LoadText(o)
		if err != nil {
			return out, err
		}
		out, err = artemis.Fit(ctx, backend, ac, track, env)
		if err != nil {
			return out, err
		}
	} else {
		track, _, err := baboonland.Twin(o)
		if err != nil {
			return out, err
		}
		out, err = artemis.Fit(ctx, backend, ac, track, env)
		if err != nil {
			return out, err
		}
	}
	for k := range out.Metrics {
		if strings.HasPrefix(k, "map_head") || strings.HasPrefix(k, "map_middle") || strings.HasPrefix(k, "map_tail") {
			delete(out.Metrics, k)
		}
	}
	var kept []string
	for _, n := range out.Notes {
		if !strings.Contains(n, "head/middle/tail") && !strings.Contains(n, "segment") {
			kept = append(kept, n)
		}
	}
	out.Notes = append(append(kept, notes...), "Animal Kingdom's head/middle/tail segments do not apply to BaboonLand: not reported")
	return out, nil
}

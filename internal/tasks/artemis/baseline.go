package artemis

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/tasks/baselines"
	"github.com/gomlx/gomlx/backends"
)

// baselineLogRegRecipe is the logistic regression of
// experiments/animalkingdom/text_baselines.toml (full scale): 20 epochs,
// batch 256, Adam lr 0.01.
var baselineLogRegRecipe = baselines.TrainConfig{Epochs: 20, BatchSize: 256, LR: 0.01}

// runBaseline scores the track's val split with a reference baseline and
// evaluates it exactly as ARTEMIS runs are evaluated, so that the rows of a
// table compare like with like.
func runBaseline(backend backends.Backend, c Config, track *data.AKTrack, progress runner.Progress) (runner.Outcome, error) {
	var scores [][]float64
	var out runner.Outcome
	switch c.Model.Preset {
	case BaselineLabelFrequency:
		scores = baselines.LabelFrequencyScores(track.TrainCounts, track.Train.Len(), track.Val.Len())
		out.Notes = append(out.Notes, "label-frequency baseline: every val clip scored with the train prevalence of each class (ignores its input)")
	case BaselineLogReg:
		rc := baselineLogRegRecipe
		rc.Seed = c.Train.Seed
		res, err := baselines.TrainLogReg(backend, track, rc, progress)
		if err != nil {
			return out, err
		}
		scores = res.ValScores
		out.Params = res.Params
		out.Curves = map[string][]float64{"train_loss": res.TrainLoss}
		out.Notes = append(out.Notes, fmt.Sprintf("logistic-regression baseline on the description embedding (internal/tasks/baselines, %d epochs, batch %d, Adam lr %g)", rc.Epochs, rc.BatchSize, rc.LR))
	default:
		return out, fmt.Errorf("artemis: unknown baseline %q", c.Model.Preset)
	}
	f32 := make([][]float32, len(scores))
	for i, row := range scores {
		f32[i] = make([]float32, len(row))
		for j, v := range row {
			f32[i][j] = float32(v)
		}
	}
	segCounts, segNote := segmentCounts(track)
	m, perClass, err := Evaluate(track.Val.Labels, track.K(), f32, c.Train.EvalBatch, segCounts)
	if err != nil {
		return out, err
	}
	out.Metrics = m
	out.DataSource = track.Source
	out.DataFingerprint = track.Fingerprint
	out.Notes = append(out.Notes, track.Notes...)
	if segNote != "" {
		out.Notes = append(out.Notes, segNote)
	}
	out.Extra = map[string]any{"per_class_ap": nanToNil(perClass), "classes": track.Classes}
	return out, nil
}

package artemis

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/tasks/baselines"
)

// runBaseline scores the track's val split with a reference baseline and
// evaluates it exactly as ARTEMIS runs are evaluated, so that the rows of a
// table compare like with like.
func runBaseline(c Config, track *data.AKTrack, progress runner.Progress) (runner.Outcome, error) {
	var scores [][]float64
	var out runner.Outcome
	switch c.Model.Preset {
	case BaselineLabelFrequency:
		scores = baselines.LabelFrequencyScores(track.TrainCounts, track.Train.Len(), track.Val.Len())
		out.Notes = append(out.Notes, "label-frequency baseline: every val clip scored with the train prevalence of each class (ignores its input)")
	case BaselineLogReg:
		// The one recipe of internal/tasks/baselines (C chosen on a train fold).
		rc := baselines.DefaultTrainConfig()
		res, err := baselines.TrainLogReg(track, rc, progress)
		if err != nil {
			return out, err
		}
		scores = res.ValLogits
		out.Params = res.Params
		out.Notes = append(out.Notes, "logistic-regression baseline (internal/tasks/baselines.DefaultTrainConfig): "+res.Describe(track.E, rc))
	default:
		return out, fmt.Errorf("artemis: unknown baseline %q", c.Model.Preset)
	}
	// Scored in float64 (logits), not rounded to float32: no saturation ties.
	ev, err := metrics.EvaluateMultiLabel(track.Val.Labels, track.K(), scores, track.TrainCounts, track.Train.Len(), c.Train.EvalBatch)
	if err != nil {
		return out, err
	}
	out.Metrics = ev.Metrics()
	delete(out.Metrics, "val_classes")
	perClass := ev.PerClass
	out.DataSource = track.Source
	out.DataFingerprint = track.Fingerprint
	out.Notes = append(out.Notes, track.Notes...)
	if note := metrics.SegmentNote(track.Train.Len()); note != "" {
		out.Notes = append(out.Notes, note)
	}
	out.Extra = map[string]any{"per_class_ap": nanToNil(perClass), "classes": track.Classes}
	return out, nil
}

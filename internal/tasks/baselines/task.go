package baselines

import (
	"context"
	"fmt"

	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
)

// TaskName is the runner task of this package, the spec's [experiment] task.
const TaskName = "ak-text-baseline"

func init() { runner.Register(TaskName, Task{}) }

// Task runs one baseline on one point.
type Task struct{}

// Version is folded into the points' hashes; bump it when fitting or
// evaluation changes. It names ChosenC, the default C no spec states.
func (Task) Version() string { return fmt.Sprintf("ak-text-baseline-2-c%g", ChosenC) }

// Validate decodes the point strictly.
func (Task) Validate(p runner.Point) error {
	_, err := Decode(p)
	return err
}

// Run loads the track, scores its evaluated split with the configured
// baseline and reports macro / micro / head / middle / tail mAP
// (metrics.EvaluateMultiLabel, the evaluator of every Animal Kingdom task).
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	c, err := Decode(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	if err := ctx.Err(); err != nil {
		return runner.Outcome{}, err
	}
	track, err := LoadTrack(c.Data, env.DataRoot)
	if err != nil {
		return runner.Outcome{}, err
	}
	out := runner.Outcome{
		DataSource:      track.Source,
		DataFingerprint: track.Fingerprint,
		Notes:           append([]string(nil), track.Notes...),
		Curves:          map[string][]float64{},
		Extra:           map[string]any{},
	}
	var scores [][]float64
	switch c.Model.Name {
	case ModelLabelFrequency:
		scores = LabelFrequencyScores(track.TrainCounts, track.Train.Len(), track.Val.Len())
		out.Notes = append(out.Notes, "label-frequency baseline: every clip scored by the train prevalence of each class (no input used)")
	case ModelLogReg:
		res, err := TrainLogReg(track, c.Train, env.Progress)
		if err != nil {
			return runner.Outcome{}, err
		}
		scores = res.ValLogits
		out.Params = res.Params
		out.Notes = append(out.Notes, res.Describe(track.E, c.Train))
		out.Extra["lbfgs_iterations"] = res.Info.Iterations
		out.Extra["lbfgs_status"] = res.Info.Status
	}
	ev, err := metrics.EvaluateMultiLabel(track.Val.Labels, track.K(), scores, track.TrainCounts, track.Train.Len(), 0)
	if err != nil {
		return runner.Outcome{}, fmt.Errorf("evaluating %s: %w", c.Model.Name, err)
	}
	out.Metrics = ev.Metrics()
	out.Metrics["n_train"], out.Metrics["n_val"] = float64(track.Train.Len()), float64(track.Val.Len())
	if note := metrics.SegmentNote(track.Train.Len()); note != "" {
		out.Notes = append(out.Notes, note)
	}
	out.Extra["per_class_ap"] = NaNToNil(ev.PerClass)
	return out, nil
}

// NaNToNil makes per-class APs JSON-safe (NaN, a class without val
// positives, becomes null).
func NaNToNil(x []float64) []any {
	out := make([]any, len(x))
	for i, v := range x {
		if v == v {
			out[i] = v
		}
	}
	return out
}

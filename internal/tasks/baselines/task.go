package baselines

import (
	"context"
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/runner"
)

// TaskName is the runner task of this package, the spec's [experiment] task.
const TaskName = "ak-text-baseline"

func init() { runner.Register(TaskName, Task{}) }

// Task runs one baseline on one point.
type Task struct{}

// Validate decodes the point strictly.
func (Task) Validate(p runner.Point) error {
	_, err := Decode(p)
	return err
}

// Run loads the track, scores its validation split with the configured
// baseline and reports macro / micro / head / middle / tail mAP.
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
		cfg := c.Train.Backend
		if cfg == "" {
			cfg = env.Backend
		}
		backend, err := purego.New(cfg)
		if err != nil {
			return runner.Outcome{}, err
		}
		defer backend.Finalize()
		res, err := TrainLogReg(backend, track, c.Train, env.Progress)
		if err != nil {
			return runner.Outcome{}, err
		}
		scores = res.ValScores
		out.Params = res.Params
		out.Curves["train_loss"] = res.TrainLoss
		out.Notes = append(out.Notes, fmt.Sprintf("logistic regression on %d-d description embeddings, %d epochs x %d steps, Adam lr %g, backend %s, %s",
			track.E, c.Train.Epochs, res.Steps/c.Train.Epochs, c.Train.LR, res.Backend, res.Elapsed.Round(1e9)))
	}
	ev, err := Evaluate(track.Val.Labels, track.K(), scores, track.TrainCounts)
	if err != nil {
		return runner.Outcome{}, fmt.Errorf("evaluating %s: %w", c.Model.Name, err)
	}
	out.Metrics = map[string]float64{
		"map_macro": ev.MacroMAP, "map_micro": ev.MicroMAP,
		"map_head": ev.Head, "map_middle": ev.Middle, "map_tail": ev.Tail,
		"val_classes": float64(ev.Classes), "n_train": float64(track.Train.Len()), "n_val": float64(track.Val.Len()),
	}
	out.Extra["per_class_ap"] = nanToNil(ev.PerClass)
	return out, nil
}

// nanToNil makes per-class APs JSON-safe (NaN, a class without val
// positives, becomes null).
func nanToNil(x []float64) []any {
	out := make([]any, len(x))
	for i, v := range x {
		if v == v {
			out[i] = v
		}
	}
	return out
}

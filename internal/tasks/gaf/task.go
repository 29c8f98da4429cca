package gaf

import (
	"context"
	"fmt"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
)

// TaskName is the name specs select with [experiment] task = "gaf-ucf101".
const TaskName = "gaf-ucf101"

func init() { runner.Register(TaskName, Task{}) }

// Task trains one Table II model on one UCF101 split and scores its test list.
type Task struct{}

// Version is folded into the points' hashes; bump it when training changes.
func (Task) Version() string { return "gaf-ucf101-1" }

// Validate implements runner.Task.
func (Task) Validate(p runner.Point) error {
	_, err := ParseConfig(p)
	return err
}

// LambdaTraces is how many test videos' λ (and planted windows) a GAF record keeps.
const LambdaTraces = 6

// Run implements runner.Task.
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	var out runner.Outcome
	c, err := ParseConfig(p)
	if err != nil {
		return out, err
	}
	prog := env.Progress
	if prog == nil {
		prog = runner.Discard
	}
	start := time.Now()
	ds, err := LoadDataset(ctx, c, env.DataRoot)
	if err != nil {
		return out, err
	}
	loadSeconds := time.Since(start).Seconds()
	backend, err := purego.New(env.Backend)
	if err != nil {
		return out, err
	}
	defer backend.Finalize()
	start = time.Now()
	res, err := Fit(ctx, backend, c, ds, prog)
	if err != nil {
		return out, err
	}
	seconds := time.Since(start).Seconds()
	labels := make([]int, ds.Test.N)
	for i, y := range ds.Test.Y {
		labels[i] = int(y)
	}
	top, err := metrics.TopK(labels, res.Scores, []int{1, 5})
	if err != nil {
		return out, err
	}
	K := len(ds.Classes)
	conf := make([][]int, K)
	for i := range conf {
		conf[i] = make([]int, K)
	}
	for i, row := range res.Scores {
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		conf[labels[i]][best]++
	}
	out.DataSource, out.DataFingerprint = ds.Source, ds.Fingerprint
	out.Params = res.Params
	out.Metrics = map[string]float64{
		"top1": top[0], "top5": top[1],
		"train_seconds": seconds, "load_seconds": loadSeconds,
		"n_train": float64(ds.Train.N), "n_test": float64(ds.Test.N), "classes": float64(K),
		"params": float64(res.Params), "cvae_params": float64(res.CVAEParams),
		"final_train_loss": res.TrainLoss[len(res.TrainLoss)-1],
	}
	out.Curves = map[string][]float64{"train_loss": res.TrainLoss}
	if len(res.CVAELoss) > 0 {
		out.Curves["cvae_loss"] = res.CVAELoss
	}
	out.Extra = map[string]any{"classes": ds.Classes, "confusion": conf}
	if res.Lambda != nil && ds.Twin {
		// λ against the planted window: means over the valid test steps inside and outside it.
		var in, outside, nIn, nOut float64
		T := ds.Steps
		for i, l := range res.Lambda {
			for t, v := range l {
				if ds.Test.Mask[i*T+t] == 0 {
					continue
				}
				if ds.Test.InWin[i*T+t] == 1 {
					in, nIn = in+v, nIn+1
				} else {
					outside, nOut = outside+v, nOut+1
				}
			}
		}
		out.Metrics["lambda_in_window"] = in / max(nIn, 1)
		out.Metrics["lambda_outside_window"] = outside / max(nOut, 1)
		var traces []map[string]any
		for i := 0; i < min(LambdaTraces, ds.Test.N); i++ {
			var lam []float64
			var win []int
			for t := range T {
				if ds.Test.Mask[i*T+t] == 1 {
					lam = append(lam, res.Lambda[i][t])
					win = append(win, int(ds.Test.InWin[i*T+t]))
				}
			}
			traces = append(traces, map[string]any{"video": ds.Test.Videos[i].Path, "lambda": lam, "window": win})
		}
		out.Extra["lambda_traces"] = traces
	}
	if ds.Source == "synthetic" {
		out.Notes = append(out.Notes, "SYNTHETIC features: the UCF101 feature twin (real video names, classes and split membership; a planted class signal in a window of each video, background and scene vectors elsewhere). A pipeline test, not a reproduction of the paper's UCF101 numbers.")
	}
	out.Notes = append(out.Notes, fmt.Sprintf("Split %d: %d train / %d test videos of %d classes; %d epochs, batch %d, Adam %g (weight decay %g, decoupled); trained in %.1f s on %s; scored after the last epoch (no selection on the test list).",
		c.Data.Split, ds.Train.N, ds.Test.N, K, c.Train.Epochs, c.Train.Batch, c.Train.LearningRate, c.Train.WeightDecay, seconds, backend.Name()))
	return out, nil
}

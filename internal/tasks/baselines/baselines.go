package baselines

import (
	"fmt"
	"time"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
)

// LabelFrequencyScores scores every one of n clips with the train
// prevalence of each class: the best a model can do without its input.
// All clips tie, so a class's AP equals its prevalence in the evaluated
// split.
func LabelFrequencyScores(trainCounts []int, nTrain, n int) [][]float64 {
	row := make([]float64, len(trainCounts))
	for k, c := range trainCounts {
		row[k] = float64(c) / float64(nTrain)
	}
	out := make([][]float64, n)
	for i := range out {
		out[i] = row
	}
	return out
}

// LogRegResult is a fitted logistic regression's validation scores.
type LogRegResult struct {
	ValLogits [][]float64 // [Nval][K] logits: they rank as the probabilities do, without float saturation ties
	Params    int64
	Info      FitInfo
}

// TrainLogReg fits the logistic regression (FitLogReg, full-batch L-BFGS)
// on the track's train description embeddings and scores its val split.
func TrainLogReg(t *data.AKTrack, c TrainConfig, progress runner.Progress) (*LogRegResult, error) {
	if t.Train.Len() == 0 || t.Val.Len() == 0 {
		return nil, fmt.Errorf("logreg: empty split (train %d, val %d)", t.Train.Len(), t.Val.Len())
	}
	x, err := NewDenseDesign(t.Train.Desc)
	if err != nil {
		return nil, fmt.Errorf("train split: %w", err)
	}
	xv, err := NewDenseDesign(t.Val.Desc)
	if err != nil {
		return nil, fmt.Errorf("val split: %w", err)
	}
	k := t.K()
	y := make([][]bool, t.Train.Len())
	for i, ls := range t.Train.Labels {
		y[i] = make([]bool, k)
		for _, l := range ls {
			y[i][l] = true
		}
	}
	if progress == nil {
		progress = runner.Discard
	}
	lc := c.LBFGS()
	lc.OnIter = func(it int, loss float64) { progress.Step(it, map[string]float64{"loss": loss}) }
	progress.Start("logreg L-BFGS iterations", c.MaxIter)
	m, info, err := FitLogReg(x, y, lc)
	progress.Finish()
	if err != nil {
		return nil, err
	}
	_, d := x.Dims()
	return &LogRegResult{ValLogits: m.Logits(xv), Params: int64(d*k + k), Info: info}, nil
}

// Describe is the record note of a fit.
func (r *LogRegResult) Describe(e int, c TrainConfig) string {
	return fmt.Sprintf("logistic regression on %d-d description embeddings: full-batch L-BFGS (gonum/optimize) on summed BCE + ||W||^2/(2C), C=%g, biases from the log-odds priors; %s after %d iterations (%d evaluations), loss/n %.6f, |grad|inf %.2e, %d classes fitted, %s",
		e, c.C, r.Info.Status, r.Info.Iterations, r.Info.FuncEvals, r.Info.Loss, r.Info.GradNorm, r.Info.Fitted, r.Info.Elapsed.Round(time.Second))
}

package baselines

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's idiom for graph code
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/metrics"
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

// Evaluation is the mAP of scores on a split.
type Evaluation struct {
	MacroMAP, MicroMAP float64
	Head, Middle, Tail float64   // macro mAP within each train-frequency segment
	PerClass           []float64 // NaN for classes without a positive in the split
	Classes            int       // classes with at least one positive (the macro mean's support)
}

// Evaluate computes Animal Kingdom's official macro mAP (mean over classes
// with at least one positive of scikit-learn's AP), the micro mAP and the
// head/middle/tail means, via internal/metrics.
func Evaluate(labels [][]int, k int, scores [][]float64, trainCounts []int) (Evaluation, error) {
	y, err := metrics.MultiHot(labels, k)
	if err != nil {
		return Evaluation{}, err
	}
	macro, err := metrics.MeanAP(y, scores, metrics.Macro, 0)
	if err != nil {
		return Evaluation{}, err
	}
	micro, err := metrics.MeanAP(y, scores, metrics.Micro, 0)
	if err != nil {
		return Evaluation{}, err
	}
	seg, err := metrics.SegmentMeans(macro.PerClass, trainCounts)
	if err != nil {
		return Evaluation{}, err
	}
	ev := Evaluation{MacroMAP: macro.MAP, MicroMAP: micro.MAP, Head: seg.Head, Middle: seg.Middle, Tail: seg.Tail, PerClass: macro.PerClass}
	for _, ap := range macro.PerClass {
		if !math.IsNaN(ap) {
			ev.Classes++
		}
	}
	return ev, nil
}

// LogRegResult is a trained logistic regression's validation scores.
type LogRegResult struct {
	ValScores [][]float64 // sigmoid probabilities [Nval][K]
	TrainLoss []float64   // mean binary cross-entropy per epoch
	Params    int64
	Backend   string
	Steps     int
	Elapsed   time.Duration
}

// logRegModel is logits = x W + b, one independent sigmoid per class.
func logRegModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	ctx = ctx.In("logreg")
	k := context.GetParamOr(ctx, "num_classes", 0)
	return []*Node{layers.Dense(ctx, inputs[0], true, k)}
}

// TrainLogReg trains the logistic regression on the track's train split
// descriptions and scores its validation split. Mini-batches are drawn in a
// seeded order; the last partial batch of an epoch is dropped (one graph
// shape for training).
func TrainLogReg(backend backends.Backend, t *data.AKTrack, c TrainConfig, progress runner.Progress) (*LogRegResult, error) {
	if progress == nil {
		progress = runner.Discard
	}
	start := time.Now()
	k, e := t.K(), t.E
	n := t.Train.Len()
	if n == 0 || t.Val.Len() == 0 {
		return nil, fmt.Errorf("logreg: empty split (train %d, val %d)", n, t.Val.Len())
	}
	bs := min(c.BatchSize, n)
	ctx := context.New()
	ctx.SetParam("num_classes", k)
	if err := ctx.SetRNGStateFromSeed(c.Seed); err != nil {
		return nil, fmt.Errorf("logreg: %w", err)
	}
	opt := optimizers.Adam().LearningRate(c.LR).WeightDecay(c.WeightDecay).Done()
	trainer := train.NewTrainer(backend, ctx, logRegModel, losses.BinaryCrossentropyLogits, opt, nil, nil)
	targets := t.Train.MultiHot(k)
	r := rand.New(rand.NewPCG(uint64(c.Seed), 0xB45E))
	xb := make([]float32, bs*e)
	yb := make([]float32, bs*k)
	res := &LogRegResult{Backend: backend.Name()}
	progress.Start("train logreg", c.Epochs)
	for ep := 0; ep < c.Epochs; ep++ {
		perm := r.Perm(n)
		var sum float64
		batches := 0
		for lo := 0; lo+bs <= n; lo += bs {
			for i := 0; i < bs; i++ {
				j := perm[lo+i]
				copy(xb[i*e:(i+1)*e], t.Train.Desc[j])
				copy(yb[i*k:(i+1)*k], targets[j])
			}
			out, err := trainer.TrainStep(nil, []*tensors.Tensor{tensors.FromFlatDataAndDimensions(xb, bs, e)},
				[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(yb, bs, k)})
			if err != nil {
				return nil, fmt.Errorf("logreg: epoch %d: %w", ep+1, err)
			}
			if len(out) > 0 {
				sum += scalar(out[0])
			}
			batches++
			res.Steps++
		}
		res.TrainLoss = append(res.TrainLoss, sum/float64(batches))
		progress.Step(ep+1, map[string]float64{"loss": res.TrainLoss[ep]})
	}
	progress.Finish()
	scores, err := predict(backend, ctx, t.Val.Desc, e, 1024)
	if err != nil {
		return nil, err
	}
	res.ValScores = scores
	res.Params = int64(e*k + k)
	res.Elapsed = time.Since(start)
	return res, nil
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// predict returns sigmoid(logits) of rows in batches.
func predict(backend backends.Backend, ctx *context.Context, rows [][]float32, e, batch int) ([][]float64, error) {
	exec, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *Node) *Node {
		return Sigmoid(logRegModel(ctx, nil, []*Node{x})[0])
	})
	if err != nil {
		return nil, fmt.Errorf("logreg: building the prediction graph: %w", err)
	}
	out := make([][]float64, 0, len(rows))
	for lo := 0; lo < len(rows); lo += batch {
		hi := min(lo+batch, len(rows))
		flat := make([]float32, 0, (hi-lo)*e)
		for _, r := range rows[lo:hi] {
			flat = append(flat, r...)
		}
		res, err := exec.Exec(tensors.FromFlatDataAndDimensions(flat, hi-lo, e))
		if err != nil {
			return nil, fmt.Errorf("logreg: predicting rows %d..%d: %w", lo, hi-1, err)
		}
		p, ok := res[0].Value().([][]float32)
		if !ok {
			return nil, fmt.Errorf("logreg: prediction has type %T", res[0].Value())
		}
		for _, r := range p {
			f := make([]float64, len(r))
			for j, v := range r {
				f[j] = float64(v)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

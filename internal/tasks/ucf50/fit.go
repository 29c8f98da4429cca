package ucf50

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/actrepro/actrepro/internal/runner"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	gctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Clips is a set of sampled videos: X holds N clips of T frames of H x W x
// C values in [0, 1], row-major [N, T, H, W, C]; Y their class indices.
type Clips struct {
	X          []float32
	Y          []int
	N          int
	T, H, W, C int
	IDs        []string // video file names, for reports
}

// clipSize is the number of values of one clip.
func (c *Clips) clipSize() int { return c.T * c.H * c.W * c.C }

// Subset returns the clips at idx (in that order).
func (c *Clips) Subset(idx []int) *Clips {
	s := &Clips{N: len(idx), T: c.T, H: c.H, W: c.W, C: c.C}
	n := c.clipSize()
	s.X = make([]float32, 0, len(idx)*n)
	for _, i := range idx {
		s.X = append(s.X, c.X[i*n:(i+1)*n]...)
		s.Y = append(s.Y, c.Y[i])
		if c.IDs != nil {
			s.IDs = append(s.IDs, c.IDs[i])
		}
	}
	return s
}

// batch returns the tensors of clips idx: videos [b, T, H, W, C] and
// labels [b, 1] int32.
func (c *Clips) batch(idx []int) (*tensors.Tensor, *tensors.Tensor) {
	s := c.Subset(idx)
	y := make([]int32, len(idx))
	for i, v := range s.Y {
		y[i] = int32(v)
	}
	return tensors.FromFlatDataAndDimensions(s.X, len(idx), c.T, c.H, c.W, c.C),
		tensors.FromFlatDataAndDimensions(y, len(idx), 1)
}

// ModelFn builds a classifier's logits [batch, classes] from videos.
type ModelFn func(ctx *gctx.Context, videos *graph.Node) *graph.Node

// FitOptions is the training protocol of section 6 of the paper.
type FitOptions struct {
	Epochs       int     // maximum epochs (paper 30; tutorial 50 or 70)
	Patience     int     // early-stopping patience on val loss (paper 5; tutorial 10 or 15)
	BatchSize    int     // 4
	LearningRate float64 // Adam, Keras default 0.001
	Seed         uint64  // initialisation, dropout and epoch shuffles
	// RestoreBest restores the weights of the epoch with the lowest
	// validation loss at the end (restore_best_weights=True in the authors'
	// code).
	RestoreBest bool
	// Ctx, when set, cancels training between batches.
	Ctx context.Context
}

// History is what Keras's History records, per epoch.
type History struct {
	TrainLoss, TrainAcc []float64 // running means over the epoch's batches (dropout on), as Keras
	ValLoss, ValAcc     []float64
	BestEpoch           int // 1-based epoch with the lowest val loss
	Epochs              int // epochs run
	EarlyStopped        bool
}

// Fit trains model on trainSet with Adam and categorical cross-entropy,
// evaluating valSet after every epoch and stopping early when the
// validation loss has not improved for Patience epochs. It returns the
// trained context (best weights restored when asked).
func Fit(backend backends.Backend, model ModelFn, trainSet, valSet *Clips, o FitOptions, progress runner.Progress) (ctx *gctx.Context, h History, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ucf50: training: %v", r)
		}
	}()
	if trainSet.N == 0 {
		return nil, h, fmt.Errorf("ucf50: empty training set")
	}
	if progress == nil {
		progress = runner.Discard
	}
	ctx = gctx.New()
	ctx.SetParam(gctx.ParamInitialSeed, int64(o.Seed)+1)
	if err := ctx.SetRNGStateFromSeed(int64(o.Seed) + 2); err != nil {
		return nil, h, err
	}
	modelFn := func(ctx *gctx.Context, _ any, inputs []*graph.Node) []*graph.Node {
		return []*graph.Node{model(ctx, inputs[0])}
	}
	opt := optimizers.Adam().LearningRate(o.LearningRate).Epsilon(1e-7).Done() // Keras's Adam epsilon
	accuracy := metrics.NewSparseCategoricalAccuracy("accuracy", "acc")
	trainer := train.NewTrainer(backend, ctx, modelFn, losses.SparseCategoricalCrossEntropyLogits, opt,
		[]metrics.Interface{accuracy}, nil)

	rng := rand.New(rand.NewPCG(o.Seed, 0x0cf50))
	best := math.Inf(1)
	var bestVars map[string]*tensors.Tensor
	sinceBest := 0
	progress.Start("train", o.Epochs)
	defer progress.Finish()
	for epoch := 1; epoch <= o.Epochs; epoch++ {
		perm := rng.Perm(trainSet.N) // Keras fit(shuffle=True)
		if err := trainer.ResetTrainMetrics(); err != nil {
			return nil, h, err
		}
		// As Keras's History: the running means over the epoch's batches of
		// the loss and accuracy of each step's forward pass (dropout on).
		var lossSum, accSum float64
		for start := 0; start < trainSet.N; start += o.BatchSize {
			if o.Ctx != nil && o.Ctx.Err() != nil {
				return nil, h, o.Ctx.Err()
			}
			idx := perm[start:min(start+o.BatchSize, trainSet.N)]
			x, y := trainSet.batch(idx)
			m, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
			if err != nil {
				return nil, h, fmt.Errorf("ucf50: epoch %d: %w", epoch, err)
			}
			lossSum += scalar(m[0]) * float64(len(idx))
			accSum = scalar(m[len(m)-1]) // mean accuracy since the epoch's reset
		}
		lossSum /= float64(trainSet.N)
		vLoss, vAcc := math.NaN(), math.NaN()
		if valSet != nil && valSet.N > 0 {
			if vLoss, vAcc, err = evaluate(backend, ctx, model, valSet, o.BatchSize); err != nil {
				return nil, h, err
			}
		}
		h.TrainLoss, h.TrainAcc = append(h.TrainLoss, lossSum), append(h.TrainAcc, accSum)
		h.ValLoss, h.ValAcc = append(h.ValLoss, vLoss), append(h.ValAcc, vAcc)
		h.Epochs = epoch
		progress.Step(epoch, map[string]float64{"loss": lossSum, "acc": accSum, "val_loss": vLoss, "val_acc": vAcc})
		monitor := vLoss
		if math.IsNaN(monitor) {
			monitor = lossSum
		}
		if monitor < best {
			best, sinceBest, h.BestEpoch = monitor, 0, epoch
			if o.RestoreBest {
				if bestVars, err = snapshot(ctx); err != nil {
					return nil, h, err
				}
			}
		} else if sinceBest++; o.Patience > 0 && sinceBest >= o.Patience {
			h.EarlyStopped = true
			break
		}
	}
	if o.RestoreBest && bestVars != nil {
		for v := range ctx.IterVariables() {
			if t, ok := bestVars[v.ScopeAndName()]; ok {
				if err := v.SetValue(t); err != nil {
					return nil, h, err
				}
			}
		}
	}
	return ctx, h, nil
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

// snapshot copies the values of the trainable variables.
func snapshot(ctx *gctx.Context) (map[string]*tensors.Tensor, error) {
	out := map[string]*tensors.Tensor{}
	for v := range ctx.IterVariables() {
		if !v.Trainable {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, err
		}
		c, err := t.Clone()
		if err != nil {
			return nil, err
		}
		out[v.ScopeAndName()] = c
	}
	return out, nil
}

// Predict returns the class probabilities [N][classes] of clips (inference
// mode: dropout off).
func Predict(backend backends.Backend, ctx *gctx.Context, model ModelFn, clips *Clips, batchSize int) (probs [][]float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ucf50: predicting: %v", r)
		}
	}()
	exec, err := gctx.NewExec(backend, ctx.Reuse(), func(ctx *gctx.Context, x *graph.Node) *graph.Node {
		return graph.Softmax(model(ctx, x))
	})
	if err != nil {
		return nil, err
	}
	for start := 0; start < clips.N; start += batchSize {
		idx := make([]int, 0, batchSize)
		for i := start; i < min(start+batchSize, clips.N); i++ {
			idx = append(idx, i)
		}
		x, _ := clips.batch(idx)
		out, err := exec.Exec(x)
		if err != nil {
			return nil, err
		}
		flat := tensors.MustCopyFlatData[float32](out[0])
		k := len(flat) / len(idx)
		for i := range idx {
			p := make([]float64, k)
			for j := range p {
				p[j] = float64(flat[i*k+j])
			}
			probs = append(probs, p)
		}
	}
	return probs, nil
}

// evaluate returns the mean categorical cross-entropy and the accuracy of
// model on clips.
func evaluate(backend backends.Backend, ctx *gctx.Context, model ModelFn, clips *Clips, batchSize int) (loss, acc float64, err error) {
	probs, err := Predict(backend, ctx, model, clips, batchSize)
	if err != nil {
		return 0, 0, err
	}
	loss, acc = LossAccuracy(probs, clips.Y)
	return loss, acc, nil
}

// probFloor is Keras's epsilon: probabilities are clipped to [1e-7, 1-1e-7]
// before the log in categorical cross-entropy.
const probFloor = 1e-7

// LossAccuracy is Keras's categorical cross-entropy (mean over clips) and
// accuracy (argmax, first maximum on ties) of probabilities against labels.
func LossAccuracy(probs [][]float64, labels []int) (loss, acc float64) {
	if len(probs) == 0 {
		return math.NaN(), math.NaN()
	}
	for i, p := range probs {
		loss -= math.Log(math.Min(math.Max(p[labels[i]], probFloor), 1-probFloor))
		if argmax(p) == labels[i] {
			acc++
		}
	}
	n := float64(len(probs))
	return loss / n, acc / n
}

func argmax(p []float64) int {
	best := 0
	for j, v := range p {
		if v > p[best] {
			best = j
		}
	}
	return best
}

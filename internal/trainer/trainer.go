package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"

	"github.com/actrepro/actrepro/internal/runner"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Learning-rate schedules.
const (
	ScheduleConstant = "constant"
	// ScheduleCosineRestarts is PyTorch's CosineAnnealingWarmRestarts with
	// T_mult = 1, stepped once per epoch: lr = min + (lr0 - min)(1 +
	// cos(pi * (epoch mod T0) / T0)) / 2.
	ScheduleCosineRestarts = "cosine_restarts"
)

// Data gives the trainer batches of examples by index.
type Data interface {
	// Len is the number of examples.
	Len() int
	// Batch returns the model inputs and the labels of the examples idx.
	Batch(idx []int) (inputs, labels []*tensors.Tensor, err error)
}

// ModelFn builds the model graph; its first output is what Predict returns
// (e.g. logits).
type ModelFn func(ctx *mlctx.Context, inputs []*graph.Node) []*graph.Node

// LossFn builds the scalar training loss from the labels and the model's
// outputs. Extra loss terms may also be added with train.AddLoss.
type LossFn func(ctx *mlctx.Context, labels, outputs []*graph.Node) *graph.Node

// EvalFn measures the model after an epoch (usually on the validation
// split, through Trainer.Predict). The returned values join the curves.
type EvalFn func(epoch int) (map[string]float64, error)

// Config is the training recipe.
type Config struct {
	Epochs    int   // maximum number of epochs (> 0).
	BatchSize int   // examples per step (> 0); a last partial batch of an epoch is dropped.
	EpochSize int   // examples drawn per epoch, a fresh random sample each epoch; 0 means one pass over the data.
	Seed      int64 // seeds shuffling and the model initialisation.

	LearningRate float64 // Adam's initial learning rate (> 0).
	Epsilon      float64 // Adam's epsilon; 0 means PyTorch's 1e-8.
	Schedule     string  // ScheduleConstant (default) or ScheduleCosineRestarts.
	RestartEvery int     // T_0 in epochs for ScheduleCosineRestarts (e.g. 10).
	MinLR        float64 // eta_min of the cosine schedule.

	// Monitor names the EvalFn value that selects the best epoch (e.g.
	// "val_map"); higher is better unless MonitorMin. Empty: the last epoch.
	Monitor    string
	MonitorMin bool
	// Patience stops training after this many evaluations without
	// improvement of Monitor; 0 never stops early.
	Patience int
	// EvalEvery calls the EvalFn every this many epochs and after the last
	// one; 0 or 1 evaluates after every epoch.
	EvalEvery int
}

// Validate names the first bad field.
func (c Config) Validate() error {
	switch {
	case c.Epochs <= 0:
		return fmt.Errorf("trainer: Epochs must be > 0, got %d", c.Epochs)
	case c.BatchSize <= 0:
		return fmt.Errorf("trainer: BatchSize must be > 0, got %d", c.BatchSize)
	case c.EpochSize < 0:
		return fmt.Errorf("trainer: EpochSize must be >= 0, got %d", c.EpochSize)
	case !(c.LearningRate > 0):
		return fmt.Errorf("trainer: LearningRate must be > 0, got %g", c.LearningRate)
	case c.Patience < 0:
		return fmt.Errorf("trainer: Patience must be >= 0, got %d", c.Patience)
	case c.EvalEvery < 0:
		return fmt.Errorf("trainer: EvalEvery must be >= 0, got %d", c.EvalEvery)
	}
	switch c.Schedule {
	case "", ScheduleConstant:
	case ScheduleCosineRestarts:
		if c.RestartEvery <= 0 {
			return fmt.Errorf("trainer: RestartEvery must be > 0 for schedule %q", c.Schedule)
		}
	default:
		return fmt.Errorf("trainer: Schedule %q is not %q or %q", c.Schedule, ScheduleConstant, ScheduleCosineRestarts)
	}
	if c.Patience > 0 && c.Monitor == "" {
		return fmt.Errorf("trainer: Patience needs a Monitor")
	}
	return nil
}

// LR is the learning rate of epoch (0-based) under the schedule.
func (c Config) LR(epoch int) float64 {
	if c.Schedule != ScheduleCosineRestarts {
		return c.LearningRate
	}
	tcur := float64(epoch % c.RestartEvery)
	return c.MinLR + (c.LearningRate-c.MinLR)*(1+math.Cos(math.Pi*tcur/float64(c.RestartEvery)))/2
}

// Result is what Fit measured.
type Result struct {
	// Curves holds "train_loss" and "lr" (one entry per epoch), every EvalFn
	// value (one entry per evaluation) and "eval_epoch", the 1-based epoch
	// of each evaluation.
	Curves       map[string][]float64
	Epochs       int                // epochs run
	BestEpoch    int                // 0-based epoch chosen by Monitor (the last evaluated one without Monitor)
	Best         map[string]float64 // the EvalFn values of BestEpoch
	LastEpoch    int                // 0-based epoch of the last evaluation
	Last         map[string]float64 // the EvalFn values of LastEpoch
	StoppedEarly bool
}

// Trainer trains one model.
type Trainer struct {
	cfg     Config
	backend backends.Backend
	ctx     *mlctx.Context
	model   ModelFn
	tr      *train.Trainer
	predict *mlctx.Exec
}

// New prepares a trainer; the model's variables are created at the first
// step, initialised from cfg.Seed.
func New(backend backends.Backend, ctx *mlctx.Context, cfg Config, model ModelFn, loss LossFn) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if backend == nil || ctx == nil || model == nil || loss == nil {
		return nil, errors.New("trainer: backend, context, model and loss are required")
	}
	ctx.SetParam(mlctx.ParamInitialSeed, cfg.Seed)
	if err := ctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, fmt.Errorf("trainer: seeding: %w", err)
	}
	eps := cfg.Epsilon
	if eps == 0 {
		eps = 1e-8
	}
	opt := optimizers.Adam().LearningRate(cfg.LearningRate).Epsilon(eps).Done()
	t := &Trainer{cfg: cfg, backend: backend, ctx: ctx, model: model}
	modelFn := func(ctx *mlctx.Context, _ any, inputs []*graph.Node) []*graph.Node { return model(ctx, inputs) }
	t.tr = train.NewTrainer(backend, ctx, modelFn,
		func(labels, outputs []*graph.Node) *graph.Node {
			return loss(ctx.Reuse(), labels, outputs)
		}, opt, nil, nil)
	return t, nil
}

// Context is the model's context (variables and hyperparameters).
func (t *Trainer) Context() *mlctx.Context { return t.ctx }

// setLR sets Adam's learning-rate variable, when it exists (it is created
// with the initial value at the first step, which the schedule's epoch 0
// also gives).
func (t *Trainer) setLR(lr float64) error {
	v := t.ctx.InspectVariable(t.ctx.In(optimizers.Scope).Scope(), optimizers.ParamLearningRate)
	if v == nil {
		return nil
	}
	return v.SetValue(tensors.FromScalar(float32(lr)))
}

// Fit trains for up to cfg.Epochs epochs, calling eval after each one.
// Cancelling gctx stops between steps with its error.
func (t *Trainer) Fit(gctx context.Context, data Data, eval EvalFn, progress runner.Progress) (res *Result, err error) {
	if progress == nil {
		progress = runner.Discard
	}
	n := data.Len()
	if n < t.cfg.BatchSize {
		return nil, fmt.Errorf("trainer: %d training examples, fewer than one batch of %d", n, t.cfg.BatchSize)
	}
	defer func() {
		// GoMLX reports graph-building errors by panicking; turn them into errors.
		if r := recover(); r != nil {
			err = fmt.Errorf("trainer: %v", r)
		}
	}()
	rng := rand.New(rand.NewSource(t.cfg.Seed))
	perEpoch := t.cfg.EpochSize
	if perEpoch == 0 {
		perEpoch = n
	}
	steps := perEpoch / t.cfg.BatchSize
	if steps == 0 {
		steps = 1
	}
	res = &Result{Curves: map[string][]float64{}, BestEpoch: -1}
	var order []int
	next := 0
	draw := func() int {
		if next >= len(order) {
			order = rng.Perm(n)
			next = 0
		}
		next++
		return order[next-1]
	}
	progress.Start("train", t.cfg.Epochs)
	defer progress.Finish()
	best := math.Inf(-1)
	sinceBest := 0
	idx := make([]int, t.cfg.BatchSize)
	for epoch := 0; epoch < t.cfg.Epochs; epoch++ {
		lr := t.cfg.LR(epoch)
		if err := t.setLR(lr); err != nil {
			return nil, fmt.Errorf("trainer: setting learning rate: %w", err)
		}
		if t.cfg.EpochSize > 0 {
			// A fresh sample each epoch, as PyTorch's RandomSampler(num_samples)
			// draws a new permutation per epoch (ARTEMIS datamanager.py:211).
			next = len(order)
		}
		var sum float64
		for s := 0; s < steps; s++ {
			if err := gctx.Err(); err != nil {
				return nil, err
			}
			for i := range idx {
				idx[i] = draw()
			}
			in, lab, err := data.Batch(idx)
			if err != nil {
				return nil, fmt.Errorf("trainer: epoch %d step %d: %w", epoch+1, s+1, err)
			}
			m, err := t.tr.TrainStep(nil, in, lab)
			if err != nil {
				return nil, fmt.Errorf("trainer: epoch %d step %d: %w", epoch+1, s+1, err)
			}
			l := float64(tensors.ToScalar[float32](m[0]))
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return nil, fmt.Errorf("trainer: epoch %d step %d: loss is %v", epoch+1, s+1, l)
			}
			sum += l
		}
		res.Curves["train_loss"] = append(res.Curves["train_loss"], sum/float64(steps))
		res.Curves["lr"] = append(res.Curves["lr"], lr)
		res.Epochs = epoch + 1
		report := map[string]float64{"loss": sum / float64(steps)}
		every := max(t.cfg.EvalEvery, 1)
		if eval == nil || ((epoch+1)%every != 0 && epoch != t.cfg.Epochs-1) {
			progress.Step(epoch+1, report)
			continue
		}
		vals, err := eval(epoch)
		if err != nil {
			return nil, fmt.Errorf("trainer: evaluating epoch %d: %w", epoch+1, err)
		}
		for k, v := range vals {
			res.Curves[k] = append(res.Curves[k], v)
			report[k] = v
		}
		res.Curves["eval_epoch"] = append(res.Curves["eval_epoch"], float64(epoch+1))
		res.LastEpoch, res.Last = epoch, vals
		progress.Step(epoch+1, report)

		if t.cfg.Monitor == "" {
			res.BestEpoch, res.Best = epoch, vals
			continue
		}
		v, ok := vals[t.cfg.Monitor]
		if !ok {
			return nil, fmt.Errorf("trainer: evaluation has no monitored value %q", t.cfg.Monitor)
		}
		if t.cfg.MonitorMin {
			v = -v
		}
		if v > best {
			best, sinceBest = v, 0
			res.BestEpoch, res.Best = epoch, vals
		} else if sinceBest++; t.cfg.Patience > 0 && sinceBest >= t.cfg.Patience {
			res.StoppedEarly = true
			break
		}
	}
	return res, nil
}

// Predict runs the model in inference mode over every example of data, in
// batches of batchSize (the last batch is padded with the first example and
// trimmed), and returns its first output as one row per example.
func (t *Trainer) Predict(data Data, batchSize int) (out [][]float32, err error) {
	if batchSize <= 0 {
		return nil, fmt.Errorf("trainer: Predict batch size must be > 0, got %d", batchSize)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("trainer: predict: %v", r)
		}
	}()
	if t.predict == nil {
		t.predict, err = mlctx.NewExecAny(t.backend, t.ctx.Reuse(), func(ctx *mlctx.Context, inputs []*graph.Node) *graph.Node {
			return t.model(ctx, inputs)[0]
		})
		if err != nil {
			return nil, err
		}
	}
	n := data.Len()
	idx := make([]int, batchSize)
	for start := 0; start < n; start += batchSize {
		for i := range idx {
			if start+i < n {
				idx[i] = start + i
			} else {
				idx[i] = 0
			}
		}
		in, _, err := data.Batch(idx)
		if err != nil {
			return nil, err
		}
		args := make([]any, len(in))
		for i, x := range in {
			args[i] = x
		}
		res, err := t.predict.Exec(args...)
		if err != nil {
			return nil, err
		}
		rows, err := rowsOf(res[0])
		if err != nil {
			return nil, err
		}
		for i := 0; i < batchSize && start+i < n; i++ {
			out = append(out, rows[i])
		}
	}
	return out, nil
}

// rowsOf flattens a [B, ...] float32 tensor into B rows.
func rowsOf(x *tensors.Tensor) ([][]float32, error) {
	dims := x.Shape().Dimensions
	if len(dims) == 0 {
		return nil, fmt.Errorf("trainer: model output is a scalar, want [batch, ...]")
	}
	flat, ok := x.Value().([]float32)
	if !ok {
		// Rank > 1: read the flat data.
		var data []float32
		tensors.ConstFlatData(x, func(f []float32) { data = append([]float32(nil), f...) })
		flat = data
	}
	b := dims[0]
	w := len(flat) / b
	rows := make([][]float32, b)
	for i := range rows {
		rows[i] = flat[i*w : (i+1)*w]
	}
	return rows, nil
}

// Params counts the trainable parameters of the model (after the first step).
func (t *Trainer) Params() int64 {
	var total int64
	t.ctx.EnumerateVariables(func(v *mlctx.Variable) {
		if v.Trainable && v.Scope() != "" && !isOptimizerScope(v.Scope()) {
			total += int64(v.Shape().Size())
		}
	})
	return total
}

func isOptimizerScope(scope string) bool {
	return len(scope) >= 2 && (hasPrefix(scope, "/"+optimizers.Scope) || hasPrefix(scope, "/"+optimizers.AdamDefaultScope) || hasPrefix(scope, "/global"))
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

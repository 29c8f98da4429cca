package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// TaskName is the name specs use in [experiment] task.
const TaskName = "demo"

func init() { runner.Register(TaskName, Task{}) }

// Data is the [data] section.
type Data struct {
	Dataset  string  `toml:"dataset,required"` // "planted-signal"
	Source   string  `toml:"source,required"`  // "synthetic" (the only one)
	Classes  int     `toml:"classes"`
	Features int     `toml:"features"`
	Train    int     `toml:"train"`  // training samples
	Val      int     `toml:"val"`    // validation samples
	Signal   float64 `toml:"signal"` // scale of the class means; 0 = no signal
	Seed     int64   `toml:"seed"`   // data seed (independent of the training seed)
}

// Model is the [model] section.
type Model struct {
	Hidden int `toml:"hidden"` // 0: logistic regression; > 0: one ReLU hidden layer of this width
}

// Train is the [train] section.
type Train struct {
	Epochs       int     `toml:"epochs"`
	Batch        int     `toml:"batch"`
	LearningRate float64 `toml:"learning_rate"`
	Optimizer    string  `toml:"optimizer"` // "adam" or "sgd"
	Seed         int64   `toml:"seed"`      // initialisation and batch order
}

// Config is a point's resolved configuration.
type Config struct {
	Data  Data
	Model Model
	Train Train
}

// DefaultConfig is what a spec does not set.
func DefaultConfig() Config {
	return Config{
		Data:  Data{Classes: 3, Features: 8, Train: 240, Val: 120, Signal: 1, Seed: 1},
		Train: Train{Epochs: 10, Batch: 24, LearningRate: 0.05, Optimizer: "adam", Seed: 1},
	}
}

// Decode reads and checks a point's config (strict: unknown keys are errors).
func Decode(p runner.Point) (Config, error) {
	c := DefaultConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	d, t := c.Data, c.Train
	switch {
	case d.Dataset != "planted-signal":
		return c, spec.Errorf("data.dataset", `want "planted-signal", got %q`, d.Dataset)
	case d.Source != "synthetic":
		return c, spec.Errorf("data.source", `the planted-signal dataset is synthetic by construction; got %q`, d.Source)
	case d.Classes < 2 || d.Classes > 100:
		return c, spec.Errorf("data.classes", "must be 2..100, got %d", d.Classes)
	case d.Features < 1 || d.Features > 4096:
		return c, spec.Errorf("data.features", "must be 1..4096, got %d", d.Features)
	case d.Train < 1 || d.Train > 1_000_000:
		return c, spec.Errorf("data.train", "must be 1..1000000, got %d", d.Train)
	case d.Val < 1 || d.Val > 1_000_000:
		return c, spec.Errorf("data.val", "must be 1..1000000, got %d", d.Val)
	case d.Signal < 0 || d.Signal > 100:
		return c, spec.Errorf("data.signal", "must be 0..100, got %g", d.Signal)
	case c.Model.Hidden < 0 || c.Model.Hidden > 4096:
		return c, spec.Errorf("model.hidden", "must be 0..4096, got %d", c.Model.Hidden)
	case t.Epochs < 1 || t.Epochs > 10_000:
		return c, spec.Errorf("train.epochs", "must be 1..10000, got %d", t.Epochs)
	case t.Batch < 1:
		return c, spec.Errorf("train.batch", "must be positive, got %d", t.Batch)
	case !(t.LearningRate > 0 && t.LearningRate < 10):
		return c, spec.Errorf("train.learning_rate", "must be in (0, 10), got %g", t.LearningRate)
	case t.Optimizer != "adam" && t.Optimizer != "sgd":
		return c, spec.Errorf("train.optimizer", `want "adam" or "sgd", got %q`, t.Optimizer)
	}
	return c, nil
}

// Task is the demo runner.Task.
type Task struct{}

// Version is folded into the points' hashes; bump it when training changes.
func (Task) Version() string { return "demo-1" }

// Validate implements runner.Task.
func (Task) Validate(p runner.Point) error {
	_, err := Decode(p)
	return err
}

// Run implements runner.Task.
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	c, err := Decode(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	prog := env.Progress
	if prog == nil {
		prog = runner.Discard
	}
	data, err := MakePlanted(uint64(c.Data.Seed), c.Data.Classes, c.Data.Features, c.Data.Train, c.Data.Val, c.Data.Signal)
	if err != nil {
		return runner.Outcome{}, err
	}
	backend, err := purego.New(env.Backend)
	if err != nil {
		return runner.Outcome{}, err
	}
	defer backend.Finalize()
	res, err := Fit(ctx, backend, c, data, prog)
	if err != nil {
		return runner.Outcome{}, err
	}
	last := len(res.ValAccuracy) - 1
	return runner.Outcome{
		Metrics: map[string]float64{
			"val_accuracy": res.ValAccuracy[last],
			"val_loss":     res.ValLoss[last],
			"train_loss":   res.TrainLoss[last],
			"chance":       1 / float64(c.Data.Classes),
		},
		Curves: map[string][]float64{
			"train_loss":   res.TrainLoss,
			"val_loss":     res.ValLoss,
			"val_accuracy": res.ValAccuracy,
		},
		DataSource:      "synthetic",
		DataFingerprint: data.Fingerprint,
		Params:          res.Params,
		Notes: []string{
			"demo task: planted-signal synthetic data (class means N(0, signal^2) plus unit Gaussian noise); there is no paper number to reproduce",
		},
	}, nil
}

// Result is what Fit measured, one value per epoch.
type Result struct {
	TrainLoss, ValLoss, ValAccuracy []float64
	Params                          int64
}

// modelFn is the classifier: logits = Dense(x) for logistic regression, or
// Dense(ReLU(Dense(x))) with one hidden layer.
func modelFn(hidden, classes int) train.ModelFn {
	return func(ctx *mlctx.Context, _ any, inputs []*Node) []*Node {
		ctx = ctx.In("model")
		x := inputs[0]
		if hidden > 0 {
			x = activations.Relu(layers.Dense(ctx.In("hidden"), x, true, hidden))
		}
		return []*Node{layers.Dense(ctx.In("logits"), x, true, classes)}
	}
}

// Fit trains on data with backend and reports per-epoch curves. Training
// is deterministic for a given config: the initialisation seed and the
// batch order come from train.seed.
func Fit(ctx context.Context, backend backends.Backend, c Config, data *Planted, prog runner.Progress) (res *Result, err error) {
	defer func() {
		// GoMLX reports graph-building errors by panicking.
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("demo: training failed on backend %s: %v", backend.Name(), r)
		}
	}()
	D, K := c.Data.Features, c.Data.Classes
	gctx := mlctx.New()
	gctx.SetParam(initializers.ParamInitialSeed, c.Train.Seed)
	if err := gctx.SetRNGStateFromSeed(c.Train.Seed); err != nil {
		return nil, err
	}
	var opt optimizers.Interface
	if c.Train.Optimizer == "sgd" {
		gctx.SetParam(optimizers.ParamLearningRate, c.Train.LearningRate)
		opt = optimizers.StochasticGradientDescent().Done()
	} else {
		opt = optimizers.Adam().LearningRate(c.Train.LearningRate).Done()
	}
	model := modelFn(c.Model.Hidden, K)
	trainer := train.NewTrainer(backend, gctx, model, losses.SparseCategoricalCrossEntropyLogits, opt, nil, nil)
	infer, err := mlctx.NewExec(backend, gctx.Reuse(), func(ctx *mlctx.Context, x *Node) *Node {
		return model(ctx, nil, []*Node{x})[0]
	})
	if err != nil {
		return nil, err
	}
	defer infer.Finalize()

	n := len(data.TrainY)
	batch := min(c.Train.Batch, n)
	nb := n / batch // full batches only: one compiled shape
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(uint64(c.Train.Seed), 0xba7c4))
	xb := make([]float32, batch*D)
	yb := make([]int32, batch)
	res = &Result{}
	prog.Start("train", c.Train.Epochs)
	defer prog.Finish()
	for epoch := 1; epoch <= c.Train.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
		sum := 0.0
		for b := 0; b < nb; b++ {
			for i := 0; i < batch; i++ {
				j := order[b*batch+i]
				copy(xb[i*D:(i+1)*D], data.TrainX[j*D:(j+1)*D])
				yb[i] = data.TrainY[j]
			}
			ms, err := trainer.TrainStep(nil,
				[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(xb, batch, D)},
				[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(yb, batch, 1)})
			if err != nil {
				return nil, err
			}
			sum += float64(tensors.ToScalar[float32](ms[0]))
		}
		res.TrainLoss = append(res.TrainLoss, sum/float64(nb))
		out, err := infer.Exec(tensors.FromFlatDataAndDimensions(data.ValX, len(data.ValY), D))
		if err != nil {
			return nil, err
		}
		logits, ok := out[0].Value().([][]float32)
		if !ok {
			return nil, errors.New("demo: unexpected logits type")
		}
		acc, loss := evaluate(logits, data.ValY)
		res.ValAccuracy = append(res.ValAccuracy, acc)
		res.ValLoss = append(res.ValLoss, loss)
		prog.Step(epoch, map[string]float64{"train_loss": res.TrainLoss[epoch-1], "val_acc": acc})
	}
	for v := range gctx.IterVariables() {
		if v.Trainable && strings.HasPrefix(v.Scope(), "/model") {
			res.Params += int64(v.Shape().Size())
		}
	}
	return res, nil
}

// evaluate returns accuracy (ties count as wrong unless the true class
// comes first) and mean softmax cross-entropy of logits.
func evaluate(logits [][]float32, y []int32) (acc, loss float64) {
	for i, row := range logits {
		best, mx := 0, math.Inf(-1)
		for k, v := range row {
			if float64(v) > mx {
				best, mx = k, float64(v)
			}
		}
		if int32(best) == y[i] {
			acc++
		}
		z := 0.0
		for _, v := range row {
			z += math.Exp(float64(v) - mx)
		}
		loss += mx + math.Log(z) - float64(row[y[i]])
	}
	n := float64(len(y))
	return acc / n, loss / n
}

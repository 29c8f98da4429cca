package animalmotionclip

import (
	"context"
	"fmt"
	"math/rand/v2"

	amc "github.com/actrepro/actrepro/gomlx_models/animalmotionclip"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Result is what Fit measured.
type Result struct {
	TrainLoss []float64   // per epoch: mean per-batch BCE over classifiers and labels
	Scores    [][]float64 // val clips × classes: the averaged sigmoid scores after the last epoch
	Logits    [][]float64 // val clips × classes: the classifiers' mean logit (ranks without saturation ties)
	Params    int64
}

// ModelConfig is the gomlx_models/animalmotionclip configuration of a point.
func (c Config) ModelConfig(textDim, classes int) amc.Config {
	m := c.Model
	mc := amc.DefaultConfig(textDim, classes, m.Frames(), m.M)
	mc.ImageSize, mc.Patch, mc.Stem, mc.Width, mc.Heads = c.Data.FrameSize, m.Patch, m.Stem, m.Width, m.Heads
	mc.Layers, mc.MITLayers, mc.PromptLayers, mc.MLPRatio = m.Layers, m.MITLayers, m.PromptLayers, m.MLPRatio
	return mc
}

// Fit trains the M weight-sharing classifiers on ds.Train against the class-text embeddings
// text [K][E] and scores ds.Val after the last epoch (no selection on the val list).
// Deterministic for a given config: the initialisation, the batch order and the sparse draws
// all come from train.seed.
func Fit(ctx context.Context, backend backends.Backend, c Config, ds *Dataset, text [][]float32, prog runner.Progress) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil { // GoMLX reports graph-building errors by panicking
			res, err = nil, fmt.Errorf("animalmotionclip: training failed on backend %s: %v", backend.Name(), r)
		}
	}()
	K, E := len(ds.Classes), len(text[0])
	mc := c.ModelConfig(E, K)
	if err := mc.Validate(); err != nil {
		return nil, err
	}
	S, M, T := ds.Size, c.Model.M, c.Model.Frames()
	per := M * T * S * S * 3
	B := min(c.Train.Batch, len(ds.Train))
	flatText := make([]float32, 0, K*E)
	for _, row := range text {
		flatText = append(flatText, row...)
	}
	textT := tensors.FromFlatDataAndDimensions(flatText, K, E)

	gctx := mlctx.New()
	gctx.SetParam(initializers.ParamInitialSeed, c.Train.Seed)
	if err := gctx.SetRNGStateFromSeed(c.Train.Seed); err != nil {
		return nil, err
	}
	opt := optimizers.Adam().LearningRate(c.Train.LearningRate).WeightDecay(c.Train.WeightDecay).Done()
	step, err := mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, frames, txt, y *graph.Node) *graph.Node {
		g := frames.Graph()
		ctx.SetTraining(g, true)
		out := amc.Forward(ctx, mc, frames, txt)
		loss := amc.Loss(out.Logits, y)
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	defer step.Finalize()
	infer, err := mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, frames, txt *graph.Node) []*graph.Node {
		out := amc.Forward(ctx, mc, frames, txt)
		return []*graph.Node{out.Scores, graph.ReduceMean(out.Logits, 1)}
	})
	if err != nil {
		return nil, err
	}
	defer infer.Finalize()

	rng := rand.New(rand.NewPCG(uint64(c.Train.Seed), 0xa31c))
	order := make([]int, len(ds.Train))
	for i := range order {
		order[i] = i
	}
	// The selections of each train clip: redrawn every epoch when train.resample (sparse draws
	// differ; dense and semi-dense are the same every time), else epoch 0's.
	trainSel := func(epoch, i int) ([][]int, error) {
		e := 0
		if c.Train.Resample {
			e = epoch
		}
		return Selections(c.Model, &ds.Train[i], c.Train.Seed, uint64(e)<<32|uint64(i))
	}
	nb := len(ds.Train) / B // full batches only (one compiled shape)
	res = &Result{}
	prog.Start("train", c.Train.Epochs)
	defer prog.Finish()
	for epoch := 1; epoch <= c.Train.Epochs; epoch++ {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		sum := 0.0
		for b := range nb {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			xb := make([]float32, B*per)
			yb := make([]float32, B*K)
			for i := range B {
				j := order[b*B+i]
				sel, err := trainSel(epoch, j)
				if err != nil {
					return nil, err
				}
				fillClip(xb[i*per:(i+1)*per], c.Model, c.Data.FlowInvert, &ds.Train[j], sel, S)
				for _, l := range ds.Train[j].Labels {
					yb[i*K+l] = 1
				}
			}
			o, err := step.Exec(tensors.FromFlatDataAndDimensions(xb, B, M, T, S, S, 3), textT, tensors.FromFlatDataAndDimensions(yb, B, K))
			if err != nil {
				return nil, err
			}
			sum += float64(tensors.ToScalar[float32](o[0]))
		}
		res.TrainLoss = append(res.TrainLoss, sum/float64(max(nb, 1)))
		prog.Step(epoch, map[string]float64{"loss": res.TrainLoss[epoch-1]})
	}
	// Score the val list after the last epoch, in fixed-size batches (the last one padded),
	// each clip at one fixed draw of its selections.
	EB := c.Train.EvalBatch
	for lo := 0; lo < len(ds.Val); lo += EB {
		xe := make([]float32, EB*per)
		for i := range EB {
			j := min(lo+i, len(ds.Val)-1)
			sel, err := Selections(c.Model, &ds.Val[j], c.Train.Seed, valStream+uint64(j))
			if err != nil {
				return nil, err
			}
			fillClip(xe[i*per:(i+1)*per], c.Model, c.Data.FlowInvert, &ds.Val[j], sel, S)
		}
		outs, err := infer.Exec(tensors.FromFlatDataAndDimensions(xe, EB, M, T, S, S, 3), textT)
		if err != nil {
			return nil, err
		}
		sc := outs[0].Value().([][]float32)
		lg := outs[1].Value().([][]float32)
		for i := 0; i < EB && lo+i < len(ds.Val); i++ {
			s, l := make([]float64, K), make([]float64, K)
			for k := range K {
				s[k], l[k] = float64(sc[i][k]), float64(lg[i][k])
			}
			res.Scores = append(res.Scores, s)
			res.Logits = append(res.Logits, l)
		}
	}
	res.Params = amc.CountParams(gctx)
	return res, nil
}

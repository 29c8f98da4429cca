package animalclip

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	acm "github.com/actrepro/actrepro/gomlx_models/animalclip"
	"github.com/actrepro/actrepro/internal/data/akspecies"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// ModelConfig returns the gomlx_models/animalclip configuration of a point
// for features of width d and video-branch inputs of width in.
func (c Config) ModelConfig(d, in int, v Variant) acm.Config {
	m := acm.CodeConfig(d, in)
	if c.Model.GCNHidden > 0 {
		m.GCNHidden = c.Model.GCNHidden
	}
	if c.Model.Heads > 0 {
		m.Heads = c.Model.Heads
	}
	m.PromptLayers, m.Alpha = c.Model.PromptLayers, c.Model.Alpha
	m.VideoLayers = 0
	if c.Data.Source == "twin" {
		m.VideoLayers = c.Model.VideoLayers
	}
	switch v.Drop {
	case "gcn":
		m.UseGCN = false
	case "text_prompt":
		m.UseTextPrompt = false
	case "video_prompt":
		m.UseVideoPrompt = false
	case "prompts":
		m.UseTextPrompt, m.UseVideoPrompt = false, false
	}
	return m
}

// FitResult is what Fit measured.
type FitResult struct {
	TrainLoss []float64   // mean batch loss per epoch
	Scores    [][]float64 // val clips × classes: softmax of the logits after the last epoch
	Params    int64
}

// Fit trains the Animal-CLIP head on ds.Train with the true species and the
// graph g (Adam, soft-target cross-entropy, the last batch of an epoch
// dropped), then scores evalItems (ds.Val with the true or predicted
// species) after the last epoch: no epoch is selected on val.
func Fit(ctx context.Context, backend backends.Backend, c Config, v Variant, ds *Dataset, g *akspecies.Graph, evalItems []akspecies.Item, prog runner.Progress) (res *FitResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("animalclip: training failed on backend %s: %v", backend.Name(), r)
		}
	}()
	d := len(ds.ClassX[0])
	in := len(ds.TrainX[0]) / ds.Frames
	mc := c.ModelConfig(d, in, v)
	if err := mc.Validate(); err != nil {
		return nil, err
	}
	nc, na := len(ds.Classes), ds.NumAnimals
	s := 1
	for _, set := range [][]akspecies.Item{ds.Train, evalItems} {
		for _, it := range set {
			s = max(s, len(it.Animals))
		}
	}
	classes := matrix(ds.ClassX)
	animals := matrix(ds.AnimalX)
	rel := matrix(g.Dense())
	B := min(c.Train.Batch, len(ds.Train))

	gctx := mlctx.New()
	gctx.SetParam(initializers.ParamInitialSeed, c.Train.Seed)
	if err := gctx.SetRNGStateFromSeed(c.Train.Seed); err != nil {
		return nil, err
	}
	opt := optimizers.Adam().LearningRate(c.Train.LearningRate).Done()
	forward := func(ctx *mlctx.Context, x, sel, cl, an, rl *Node) acm.Output {
		b := x.Shape().Dimensions[0]
		video := mc.VideoBranch(ctx, Reshape(x, b, ds.Frames, in))
		return mc.Forward(ctx, acm.Inputs{Video: video, Classes: cl, Animals: an, Rel: rl, Sel: sel})
	}
	step, err := mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, ins []*Node) *Node {
		out := forward(ctx, ins[0], ins[1], ins[3], ins[4], ins[5])
		loss := acm.Loss(out.Logits, ins[2])
		opt.UpdateGraph(ctx, ins[0].Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	defer step.Finalize()
	infer, err := mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, x, sel, cl, an, rl *Node) *Node {
		return acm.Scores(forward(ctx, x, sel, cl, an, rl).Logits)
	})
	if err != nil {
		return nil, err
	}
	defer infer.Finalize()

	batch := func(x [][]float32, items []akspecies.Item, idx []int) (*tensors.Tensor, *tensors.Tensor, *tensors.Tensor) {
		w := len(x[0])
		xb := make([]float32, 0, len(idx)*w)
		sel := make([]float32, len(idx)*s*na)
		y := make([]float32, len(idx)*nc)
		for i, j := range idx {
			xb = append(xb, x[j]...)
			for k, a := range items[j].Animals {
				sel[(i*s+k)*na+a] = 1
			}
			for _, a := range items[j].Actions {
				y[i*nc+a] = 1
			}
		}
		return tensors.FromFlatDataAndDimensions(xb, len(idx), w), tensors.FromFlatDataAndDimensions(sel, len(idx), s, na),
			tensors.FromFlatDataAndDimensions(y, len(idx), nc)
	}
	rng := rand.New(rand.NewPCG(uint64(c.Train.Seed), 0xac11))
	res = &FitResult{}
	steps := len(ds.Train) / B
	if prog != nil {
		prog.Start("train", c.Train.Epochs)
	}
	for ep := 0; ep < c.Train.Epochs; ep++ {
		perm := rng.Perm(len(ds.Train))
		var sum float64
		for b := 0; b < steps; b++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			xt, st, yt := batch(ds.TrainX, ds.Train, perm[b*B:(b+1)*B])
			o, err := step.Exec(xt, st, yt, classes, animals, rel)
			if err != nil {
				return nil, err
			}
			l := float64(tensors.ToScalar[float32](o[0]))
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return nil, fmt.Errorf("animalclip: loss %v at epoch %d batch %d", l, ep+1, b)
			}
			sum += l
		}
		res.TrainLoss = append(res.TrainLoss, sum/float64(max(1, steps)))
		if prog != nil {
			prog.Step(ep+1, map[string]float64{"loss": res.TrainLoss[ep]})
		}
	}
	if prog != nil {
		prog.Finish()
	}
	const evalBatch = 256
	for lo := 0; lo < len(evalItems); lo += evalBatch {
		hi := min(lo+evalBatch, len(evalItems))
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		xt, st, _ := batch(ds.ValX, evalItems, idx)
		o, err := infer.Exec(xt, st, classes, animals, rel)
		if err != nil {
			return nil, err
		}
		for _, r := range o[0].Value().([][]float32) {
			row := make([]float64, nc)
			for k := range row {
				row[k] = float64(r[k])
			}
			res.Scores = append(res.Scores, row)
		}
	}
	gctx.EnumerateVariables(func(v *mlctx.Variable) {
		if v.Trainable && !isOptimizer(v.Scope()) {
			res.Params += int64(v.Shape().Size())
		}
	})
	return res, nil
}

// isOptimizer says whether a scope holds optimizer state (Adam's moments,
// the step counter, the learning rate).
func isOptimizer(scope string) bool {
	for _, p := range []string{"/" + optimizers.Scope, "/" + optimizers.AdamDefaultScope, "/global"} {
		if len(scope) >= len(p) && scope[:len(p)] == p {
			return true
		}
	}
	return false
}

func matrix(rows [][]float32) *tensors.Tensor {
	w := len(rows[0])
	flat := make([]float32, 0, len(rows)*w)
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return tensors.FromFlatDataAndDimensions(flat, len(rows), w)
}

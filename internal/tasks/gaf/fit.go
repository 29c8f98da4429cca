package gaf

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/tasks/gaftrain"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// Result is what Fit measured.
type Result struct {
	TrainLoss  []float64   // per epoch: mean per-batch loss of the classifier step (L_clf + w·L_R, or cross-entropy)
	CVAELoss   []float64   // per epoch: mean L_CVAE of the CVAE step (gaf with the CVAE)
	Scores     [][]float64 // test videos × classes: the streams' averaged action logits, after the last epoch
	Lambda     [][]float64 // gaf: test videos × steps, λ averaged over the streams
	Params     int64       // trainable parameters of the classifier model (λ heads, classifiers; the CVAE counted in CVAEParams)
	CVAEParams int64
}

// moduleConfig is the gomlx_models/gaf configuration of a point at feature width d.
func (c Config) moduleConfig(d, classes int) gafm.Config {
	m := gafm.Config{FeatureDim: d, Hidden: c.Model.Hidden, CVAEHidden: c.Model.CVAEHidden, Latent: c.Model.Latent,
		Classes: classes, Dropout: c.Model.Dropout, Beta: c.Model.Beta, BgWeight: c.Model.BgWeight}
	if m.Hidden == 0 {
		m.Hidden = max(1, d/2)
	}
	if m.CVAEHidden == 0 {
		m.CVAEHidden = d
	}
	if m.Latent == 0 {
		m.Latent = m.CVAEHidden
	}
	return m
}

func streamSlice(x *Node, off, d int) *Node {
	return Slice(x, AxisRange(), AxisRange(), AxisRange(off*d, (off+1)*d))
}

// phaseHook, when set (by tests), is called after each epoch's CVAE pass ("cvae") and
// classifier pass ("model") with the training context.
var phaseHook func(phase string, ctx *mlctx.Context)

// Fit trains the point's model on ds.Train and scores ds.Test after the last epoch (no
// selection on the test list). Deterministic for a given config: the initialisation, dropout,
// the batch order and the CVAE's noise all come from train.seed.
func Fit(ctx context.Context, backend backends.Backend, c Config, ds *Dataset, prog runner.Progress) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil { // GoMLX reports graph-building errors by panicking
			res, err = nil, fmt.Errorf("gaf: training failed on backend %s: %v", backend.Name(), r)
		}
	}()
	names, offs := c.Model.streams()
	S, D, T, K := len(names), ds.D, ds.Steps, len(ds.Classes)
	isGAF := c.Model.Name == ModelGAF
	useCVAE := isGAF && c.Model.CVAE
	mc := c.moduleConfig(D, K)
	if err := mc.Validate(); err != nil {
		return nil, err
	}
	Z := mc.Latent
	B := min(c.Train.Batch, ds.Train.N)

	gctx, opt, cvaeOpt, err := gaftrain.NewContext(gaftrain.Optim{Seed: c.Train.Seed, LearningRate: c.Train.LearningRate,
		WeightDecay: c.Train.WeightDecay, CVAERate: c.Train.CVAERate, CVAEBetas: c.Train.CVAEBetas})
	if err != nil {
		return nil, err
	}

	// The classifier step: Eq. 12 (+ the weighted L_R through the frozen decoder) for GAF, the
	// cross-entropy of each stream's linear classifier for I3D. Streams have their own
	// parameters and their losses add up (each stream trained on its own, section IV-B).
	step, err := mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, x, mask, y, eps, wr *Node) *Node {
		g := x.Graph()
		ctx.SetTraining(g, true)
		var loss *Node
		for s, name := range names {
			sctx := ctx.In(name)
			xs := streamSlice(x, offs[s], D)
			var l *Node
			if isGAF {
				out := gafm.Forward(sctx, mc, xs, mask)
				l = ReduceAllMean(gafm.ClfLoss(out.LogitsAI, out.LogitsNAI, AddScalar(y, 1), mc.BgWeight))
				if useCVAE {
					n := B * T
					es := Reshape(Slice(eps, AxisElem(s)), n, Z)
					r := gafm.ReconLoss(sctx, mc, Reshape(xs, n, D), Reshape(out.Lambda, n), es, Reshape(mask, n))
					l = Add(l, Mul(wr, r))
				}
			} else {
				logits := gafm.Baseline(sctx, mc, xs, mask)
				l = losses.SparseCategoricalCrossEntropyLogits([]*Node{InsertAxes(y, -1)}, []*Node{logits})
			}
			loss = gaftrain.AddLoss(loss, l)
		}
		opt.UpdateGraph(ctx.In("model_step"), g, loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	defer step.Finalize()

	// The CVAE step (Fig. 2, step 1): L_CVAE at the λ the network gives now, fed as an input.
	var cvaeStep, lambdaExec *mlctx.Exec
	if useCVAE {
		cvaeStep, err = mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, x, mask, lam, eps *Node) *Node {
			g := x.Graph()
			ctx.SetTraining(g, true)
			n := B * T
			w := Reshape(mask, n)
			var loss *Node
			for s, name := range names {
				sctx := ctx.In(name)
				f := Reshape(streamSlice(x, offs[s], D), n, D)
				ls := Reshape(Slice(lam, AxisRange(), AxisRange(), AxisElem(s)), n)
				mu, logVar := gafm.Encode(sctx, mc, f, ls)
				fhat := gafm.Decode(sctx, mc, gafm.Reparameterize(mu, logVar, Reshape(Slice(eps, AxisElem(s)), n, Z)), ls)
				l, _, _ := gafm.CVAELoss(f, fhat, mu, logVar, ls, w, mc.Beta)
				loss = gaftrain.AddLoss(loss, l)
			}
			cvaeOpt.UpdateGraph(ctx.In("cvae_step"), g, loss)
			return loss
		})
		if err != nil {
			return nil, err
		}
		defer cvaeStep.Finalize()
	}
	// Inference: averaged action logits and λ [B, T, S].
	infer, err := mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, x, mask *Node) []*Node {
		var logits *Node
		var lams []*Node
		for s, name := range names {
			sctx := ctx.In(name)
			xs := streamSlice(x, offs[s], D)
			var l *Node
			if isGAF {
				out := gafm.Forward(sctx, mc, xs, mask)
				l = out.ActionLogits
				lams = append(lams, out.Lambda)
			} else {
				l = gafm.Baseline(sctx, mc, xs, mask)
				lams = append(lams, mask)
			}
			logits = gaftrain.AddLoss(logits, l)
		}
		return []*Node{DivScalar(logits, float64(S)), Stack(lams, -1)}
	})
	if err != nil {
		return nil, err
	}
	defer infer.Finalize()
	lambdaExec = infer

	W := 2 * D
	rng := rand.New(rand.NewPCG(uint64(c.Train.Seed), 0x6af))
	order := make([]int, ds.Train.N)
	for i := range order {
		order[i] = i
	}
	nb := ds.Train.N / B // full batches only (one compiled shape), as the authors' drop_last=True
	xb, mb, yb := make([]float32, B*T*W), make([]float32, B*T), make([]int32, B)
	fill := func(b int) {
		for i := range B {
			j := order[b*B+i]
			copy(xb[i*T*W:(i+1)*T*W], ds.Train.X[j*T*W:(j+1)*T*W])
			copy(mb[i*T:(i+1)*T], ds.Train.Mask[j*T:(j+1)*T])
			yb[i] = ds.Train.Y[j]
		}
	}
	noise := func() *tensors.Tensor { return gaftrain.Noise(rng, S, B*T, Z) }
	res = &Result{}
	frozen := false
	prog.Start("train", c.Train.Epochs)
	defer prog.Finish()
	for epoch := 1; epoch <= c.Train.Epochs; epoch++ {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		if useCVAE {
			sum := 0.0
			for b := range nb {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				fill(b)
				xt, mt := tensors.FromFlatDataAndDimensions(append([]float32(nil), xb...), B, T, W), tensors.FromFlatDataAndDimensions(append([]float32(nil), mb...), B, T)
				outs, err := lambdaExec.Exec(xt, mt)
				if err != nil {
					return nil, err
				}
				o, err := cvaeStep.Exec(xt, mt, outs[1], noise())
				if err != nil {
					return nil, err
				}
				sum += float64(tensors.ToScalar[float32](o[0]))
			}
			res.CVAELoss = append(res.CVAELoss, sum/float64(nb))
			if phaseHook != nil {
				phaseHook("cvae", gctx)
			}
			if !frozen {
				// Step 2 of Fig. 2: the classifier step's optimizer, built at its first call
				// (next), leaves the CVAE out; the compiled CVAE step keeps updating it.
				gaftrain.FreezeCVAE(gctx)
				frozen = true
			}
		}
		wr := gaftrain.ReconWeight(c.Model.ReconScale, epoch, c.Train.Epochs)
		sum := 0.0
		for b := range nb {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			fill(b)
			var eps *tensors.Tensor
			if useCVAE {
				eps = noise()
			} else {
				eps = tensors.FromFlatDataAndDimensions(make([]float32, 1), 1)
			}
			o, err := step.Exec(tensors.FromFlatDataAndDimensions(append([]float32(nil), xb...), B, T, W),
				tensors.FromFlatDataAndDimensions(append([]float32(nil), mb...), B, T),
				tensors.FromFlatDataAndDimensions(append([]int32(nil), yb...), B), eps, wr)
			if err != nil {
				return nil, err
			}
			sum += float64(tensors.ToScalar[float32](o[0]))
		}
		res.TrainLoss = append(res.TrainLoss, sum/float64(nb))
		if phaseHook != nil {
			phaseHook("model", gctx)
		}
		m := map[string]float64{"loss": res.TrainLoss[epoch-1]}
		if useCVAE {
			m["cvae"] = res.CVAELoss[epoch-1]
		}
		prog.Step(epoch, m)
	}

	// Score the test list after the last epoch, in fixed-size batches (the last one padded).
	E := c.Train.EvalBatch
	te := ds.Test
	for lo := 0; lo < te.N; lo += E {
		xe, me := make([]float32, E*T*W), make([]float32, E*T)
		for i := range E {
			j := min(lo+i, te.N-1)
			copy(xe[i*T*W:(i+1)*T*W], te.X[j*T*W:(j+1)*T*W])
			copy(me[i*T:(i+1)*T], te.Mask[j*T:(j+1)*T])
		}
		outs, err := infer.Exec(tensors.FromFlatDataAndDimensions(xe, E, T, W), tensors.FromFlatDataAndDimensions(me, E, T))
		if err != nil {
			return nil, err
		}
		logits := outs[0].Value().([][]float32)
		lams := outs[1].Value().([][][]float32)
		for i := 0; i < E && lo+i < te.N; i++ {
			row := make([]float64, K)
			for k := range row {
				row[k] = float64(logits[i][k])
			}
			res.Scores = append(res.Scores, row)
			if isGAF {
				l := make([]float64, T)
				for t := range T {
					for s := range S {
						l[t] += float64(lams[i][t][s]) / float64(S)
					}
				}
				res.Lambda = append(res.Lambda, l)
			}
		}
	}
	for v := range gctx.IterVariables() {
		sc := v.Scope()
		if strings.HasPrefix(sc, "/adam") || strings.Contains(sc, "global_step") || v.Name() == "global_step" {
			continue
		}
		if !strings.HasPrefix(sc, "/rgb") && !strings.HasPrefix(sc, "/flow") {
			continue
		}
		if strings.Contains(sc, "/"+gafm.CVAEScope) {
			res.CVAEParams += int64(v.Shape().Size())
		} else {
			res.Params += int64(v.Shape().Size())
		}
	}
	return res, nil
}

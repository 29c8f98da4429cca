package gafdet

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	"github.com/actrepro/actrepro/gomlx_models/gafdet"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/tasks/gaftrain"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// Result is what Fit measured.
type Result struct {
	TrainLoss []float64 // per epoch: mean detector-pass loss
	CVAELoss  []float64 // per epoch: mean L_CVAE of the CVAE pass (gaf)
	// TermLoss are the detector pass's terms per epoch (means over the batches, streams
	// summed), before their weights: AFSD's loc, conf, prop_loc, prop_conf, quality, start, end
	// (on the foreground features for GAF), GAF's nai (L_n-ai) and recon (L_R).
	TermLoss     map[string][]float64
	EpochSeconds []float64
	TrainWindows int // windows kept by AFSD's rule
	Detections   map[string][]afsd.Box
	Lambda       map[string][]float64 // per test video: λ of the first network over the grid (windows averaged), gaf only
	Params       int64
	CVAEParams   int64
}

// detectorConfig and moduleConfig size the networks of a point for input width d.
func (c Config) detectorConfig(d, classes int) afsd.Config {
	return afsd.Config{FeatureDim: d, Channels: c.Model.Channels, Groups: c.Model.Groups, Classes: classes,
		ClipLength: c.clipLength(), Levels: 6, LocInit: c.Model.LocInit, ANet: c.anet}
}

func (c Config) moduleConfig(d, classes int) gafdet.Config {
	return gafdet.Config{Detector: c.detectorConfig(d, classes), LambdaHidden: c.Model.LambdaHidden,
		CVAE: gafm.Config{FeatureDim: d, Hidden: 1, CVAEHidden: c.Model.CVAEHidden, Latent: c.Model.Latent, Classes: classes, Beta: c.Model.Beta},
		Pool: c.Model.Pool, BgWeight: c.Model.bgWeight(), ReconTarget: c.Model.ReconTarget}
}

// lossTerms name the detector pass's extra outputs (Result.TermLoss).
var lossTerms = []string{"loc", "conf", "prop_loc", "prop_conf", "quality", "start", "end", "nai", "recon"}

type trainWin struct {
	v    *Video
	w    afsd.Window
	loc  []float32
	conf []int32
}

// phaseHook, when set (by tests), is called after each epoch's CVAE pass ("cvae") and
// detector pass ("model").
var phaseHook func(phase string, ctx *mlctx.Context)

// Fit trains the point's detector on the validation videos' windows and detects on every test
// video after the last epoch (no selection on the test split).
func Fit(ctx context.Context, backend backends.Backend, c Config, ds *Dataset, prog runner.Progress) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil { // GoMLX reports graph-building errors by panicking
			res, err = nil, fmt.Errorf("gafdet: training failed on backend %s: %v", backend.Name(), r)
		}
	}()
	names, ranges := c.Model.streams()
	S, D, K := len(names), ds.Dim, len(ds.Classes)
	L := c.clipLength()
	isGAF, useCVAE := c.Model.isGAF(), c.Model.useCVAE()
	dcs := make([]afsd.Config, S)
	gcs := make([]gafdet.Config, S)
	for s := range S {
		w := (ranges[s][1] - ranges[s][0]) * D
		dcs[s], gcs[s] = c.detectorConfig(w, K), c.moduleConfig(w, K)
		if err := gcs[s].Validate(); err != nil {
			return nil, err
		}
	}
	P := dcs[0].Points()
	Z := c.Model.Latent
	W := ds.W

	var wins []trainWin
	for _, v := range ds.Train {
		for _, w := range c.trainWindows(v, L) {
			loc, conf := c.assignTargets(dcs[0], w.Annos)
			wins = append(wins, trainWin{v: v, w: w, loc: loc, conf: conf})
		}
	}
	if len(wins) == 0 {
		return nil, fmt.Errorf("gafdet: no training window holds a whole segment (%d videos)", len(ds.Train))
	}
	B := min(c.Train.Batch, len(wins))
	res = &Result{TrainWindows: len(wins), Detections: map[string][]afsd.Box{}, Lambda: map[string][]float64{}, TermLoss: map[string][]float64{}}

	gctx, opt, cvaeOpt, err := gaftrain.NewContext(gaftrain.Optim{Seed: c.Train.Seed, LearningRate: c.Train.LearningRate,
		WeightDecay: c.Train.WeightDecay, CVAERate: c.Train.CVAERate, CVAEBetas: c.Train.CVAEBetas})
	if err != nil {
		return nil, err
	}
	slice := func(x *Node, s int) *Node {
		return Slice(x, AxisRange(), AxisRange(), AxisRange(ranges[s][0]*D, ranges[s][1]*D))
	}

	// Detector pass: AFSD's losses (on the foreground features for GAF), GAF's L_n-ai and L_R.
	// Streams have their own parameters; their losses add (each trained on its own, as the code
	// trains RGB and flow models separately).
	step, err := mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, in []*Node) []*Node {
		x, locT, confT, st, en, eps, wr := in[0], in[1], in[2], in[3], in[4], in[5], in[6]
		g := x.Graph()
		ctx.SetTraining(g, true)
		t := afsd.Targets{Loc: locT, Conf: confT, Start: st, End: en}
		var loss *Node
		terms := make([]*Node, len(lossTerms))
		for s, name := range names {
			sctx := ctx.In(name)
			xs := slice(x, s)
			var l, nai, recon *Node
			var det afsd.Output
			if isGAF {
				out := gafdet.Forward(sctx, gcs[s], xs, gcs[s].BgWeight > 0)
				var e *Node
				if useCVAE {
					e = Squeeze(Slice(eps, AxisElem(s)), 0)
				}
				l, _, nai, recon = gafdet.Loss(sctx, gcs[s], xs, out, t, e, wr)
				det = out.Det
			} else {
				t4, t5 := afsd.Taps(xs)
				det = afsd.Forward(sctx.In("detector"), dcs[s], t4, t5)
				l = afsd.ComputeLosses(det, t).Total
			}
			// The terms for the record (the graph dedups nothing here; they are cheap reductions
			// and carry no gradient into the update, which uses loss only).
			ls := afsd.ComputeLosses(det, t)
			for i, v := range []*Node{ls.Loc, ls.Conf, ls.PropLoc, ls.PropConf, ls.Quality, ls.Start, ls.End, nai, recon} {
				terms[i] = gaftrain.AddLoss(terms[i], v)
			}
			loss = gaftrain.AddLoss(loss, l)
		}
		opt.UpdateGraph(ctx.In("model_step"), g, loss)
		outs := []*Node{loss}
		for _, v := range terms {
			if v == nil {
				v = ZerosLike(loss)
			}
			outs = append(outs, StopGradient(v))
		}
		return outs
	})
	if err != nil {
		return nil, err
	}
	defer step.Finalize()

	var cvaeStep *mlctx.Exec
	if useCVAE {
		cvaeStep, err = mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, x, lam, eps *Node) *Node {
			g := x.Graph()
			ctx.SetTraining(g, true)
			var loss *Node
			for s, name := range names {
				l := gafdet.CVAEStep(ctx.In(name), gcs[s], slice(x, s), Squeeze(Slice(lam, AxisRange(), AxisRange(), AxisElem(s)), -1), Squeeze(Slice(eps, AxisElem(s)), 0))
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

	// Inference: per network loc, conf, prop_loc, prop_conf, center and λ [E, L]. At test the
	// GAF code applies λ to the RGB network only and runs the flow network on the raw features
	// (test.py:115-134); model.flow_lambda_at_test = true applies it to both.
	infer := func(training bool) (*mlctx.Exec, error) {
		return mlctx.NewExec(backend, gctx.Checked(false), func(ctx *mlctx.Context, x *Node) []*Node {
			var outs []*Node
			for s, name := range names {
				sctx := ctx.In(name)
				xs := slice(x, s)
				useLam := isGAF && (training || name != "flow" || c.Model.FlowLambda)
				var o afsd.Output
				lam := OnesLike(Slice(xs, AxisRange(), AxisRange(), AxisElem(0)))
				lam = Squeeze(lam, -1)
				if useLam {
					out := gafdet.Forward(sctx, gcs[s], xs, false)
					o, lam = out.Det, out.Lambda
				} else {
					t4, t5 := afsd.Taps(xs)
					o = afsd.Forward(sctx.In("detector"), dcs[s], t4, t5)
				}
				outs = append(outs, o.Loc, o.Conf, o.PropLoc, o.PropConf, o.Center, lam)
			}
			return outs
		})
	}
	lamExec, err := infer(true)
	if err != nil {
		return nil, err
	}
	defer lamExec.Finalize()

	rng := rand.New(rand.NewPCG(uint64(c.Train.Seed), 0x6afd))
	order := make([]int, len(wins))
	for i := range order {
		order[i] = i
	}
	xb := make([]float32, B*L*W)
	locb, confb := make([]float32, B*P*2), make([]int32, B*P)
	stb, enb := make([]float32, B*L), make([]float32, B*L)
	fill := func(idx []int) {
		for i, j := range idx {
			tw := wins[j]
			windowFeatures(xb[i*L*W:(i+1)*L*W], tw.v, tw.w.Offset, L, W)
			copy(locb[i*P*2:], tw.loc)
			copy(confb[i*P:], tw.conf)
			copy(stb[i*L:], tw.w.Start)
			copy(enb[i*L:], tw.w.End)
		}
	}
	noise := func() *tensors.Tensor {
		if !useCVAE {
			return tensors.FromFlatDataAndDimensions(make([]float32, 1), 1)
		}
		return gaftrain.Noise(rng, S, B*L, Z)
	}
	xt := func() *tensors.Tensor {
		return tensors.FromFlatDataAndDimensions(append([]float32(nil), xb...), B, L, W)
	}
	perEpoch := len(wins)
	if c.Train.MaxWindows > 0 {
		perEpoch = min(perEpoch, c.Train.MaxWindows)
	}
	nb := max(perEpoch/B, 1) // full batches only, as drop_last
	frozen := false
	prog.Start("train", c.Train.Epochs)
	for epoch := 1; epoch <= c.Train.Epochs; epoch++ {
		t0 := time.Now()
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		if useCVAE {
			sum := 0.0
			for b := range nb {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				fill(order[b*B : (b+1)*B])
				x := xt()
				outs, err := lamExec.Exec(x)
				if err != nil {
					return nil, err
				}
				lams := make([]float32, 0, B*L*S)
				per := make([][]float32, S)
				for s := range S {
					per[s] = flat32(outs[6*s+5])
				}
				for i := range B * L {
					for s := range S {
						lams = append(lams, per[s][i])
					}
				}
				o, err := cvaeStep.Exec(x, tensors.FromFlatDataAndDimensions(lams, B, L, S), noise())
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
				// The detector pass trains the network with the CVAE frozen (train.py:227-230):
				// its optimizer, built at its first call, leaves the CVAE out.
				gaftrain.FreezeCVAE(gctx)
				frozen = true
			}
		}
		wr := gaftrain.ReconWeight(c.Model.ReconWeight, epoch, c.Train.Epochs)
		sum := 0.0
		tsum := make([]float64, len(lossTerms))
		for b := range nb {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			fill(order[b*B : (b+1)*B])
			o, err := step.Exec([]any{xt(), tensors.FromFlatDataAndDimensions(append([]float32(nil), locb...), B, P, 2),
				tensors.FromFlatDataAndDimensions(append([]int32(nil), confb...), B, P),
				tensors.FromFlatDataAndDimensions(append([]float32(nil), stb...), B, L),
				tensors.FromFlatDataAndDimensions(append([]float32(nil), enb...), B, L), noise(), wr}...)
			if err != nil {
				return nil, err
			}
			sum += float64(tensors.ToScalar[float32](o[0]))
			for i := range lossTerms {
				tsum[i] += float64(tensors.ToScalar[float32](o[1+i]))
			}
		}
		res.TrainLoss = append(res.TrainLoss, sum/float64(nb))
		for i, n := range lossTerms {
			res.TermLoss[n] = append(res.TermLoss[n], tsum[i]/float64(nb))
		}
		res.EpochSeconds = append(res.EpochSeconds, time.Since(t0).Seconds())
		if phaseHook != nil {
			phaseHook("model", gctx)
		}
		m := map[string]float64{"loss": res.TrainLoss[epoch-1]}
		if useCVAE {
			m["cvae"] = res.CVAELoss[epoch-1]
		}
		for _, n := range lossTerms {
			m[n] = res.TermLoss[n][epoch-1]
		}
		prog.Step(epoch, m)
	}
	prog.Finish()

	// Test: windows of stride 128 with the last aligned to the end (test.py:67-75), streams'
	// outputs averaged, decoded, soft-NMS per video and class.
	testExec, err := infer(false)
	if err != nil {
		return nil, err
	}
	defer testExec.Finalize()
	const E = 4
	type job struct {
		v   *Video
		off int
	}
	var jobs []job
	for _, v := range ds.Test {
		for _, off := range c.testOffsets(v, L) {
			jobs = append(jobs, job{v, off})
		}
	}
	cands := map[string][]afsd.Box{}
	lamSum := map[string][]float64{}
	lamCnt := map[string][]float64{}
	xe := make([]float32, E*L*W)
	for lo := 0; lo < len(jobs); lo += E {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := range E {
			j := jobs[min(lo+i, len(jobs)-1)]
			windowFeatures(xe[i*L*W:(i+1)*L*W], j.v, j.off, L, W)
		}
		outs, err := testExec.Exec(tensors.FromFlatDataAndDimensions(append([]float32(nil), xe...), E, L, W))
		if err != nil {
			return nil, err
		}
		fl := make([][]float32, len(outs))
		for i, o := range outs {
			fl[i] = flat32(o)
		}
		k1 := K + 1
		for i := 0; i < E && lo+i < len(jobs); i++ {
			j := jobs[lo+i]
			var raw afsd.Raw
			for s := range S {
				r := afsd.Raw{
					Loc: fl[6*s][i*P*2 : (i+1)*P*2], Conf: fl[6*s+1][i*P*k1 : (i+1)*P*k1],
					PropLoc: fl[6*s+2][i*P*2 : (i+1)*P*2], PropConf: fl[6*s+3][i*P*k1 : (i+1)*P*k1],
					Center: fl[6*s+4][i*P : (i+1)*P],
				}
				if s == 0 {
					raw = r
				} else {
					raw = afsd.Fuse(raw, r)
				}
			}
			fps := c.Data.FPS
			if j.v.FPS > 0 {
				fps = j.v.FPS
			}
			cands[j.v.ID] = append(cands[j.v.ID], afsd.Decode(dcs[0], raw, j.off, fps, c.Model.ConfThresh)...)
			if isGAF {
				if lamSum[j.v.ID] == nil {
					lamSum[j.v.ID], lamCnt[j.v.ID] = make([]float64, j.v.N), make([]float64, j.v.N)
				}
				lam := fl[5][i*L : (i+1)*L]
				for t := range L {
					if f := j.off + t; f < j.v.N {
						lamSum[j.v.ID][f] += float64(lam[t])
						lamCnt[j.v.ID][f]++
					}
				}
			}
		}
	}
	for _, v := range ds.Test {
		res.Detections[v.ID] = afsd.VideoDetections(cands[v.ID], K, c.Model.NMSSigma, c.Model.TopK, c.Model.PreNMSTopK, c.Model.SoftNMSQuirk)
		if s := lamSum[v.ID]; s != nil {
			for f := range s {
				s[f] /= max(lamCnt[v.ID][f], 1)
			}
			res.Lambda[v.ID] = s
		}
	}
	for v := range gctx.IterVariables() {
		sc := v.Scope()
		if strings.HasPrefix(sc, "/adam") || strings.Contains(sc, "optimizers") || v.Name() == "global_step" {
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

// windowFeatures copies frames [off, off+l) of v into dst [l, w], zero beyond the video's end
// (test.py:103-106 pads short clips with zeros).
func windowFeatures(dst []float32, v *Video, off, l, w int) {
	n := min(l, v.N-off)
	if n > 0 {
		copy(dst, v.Feat[off*w:(off+n)*w])
	}
	for i := max(n, 0) * w; i < l*w; i++ {
		dst[i] = 0
	}
}

func flat32(t *tensors.Tensor) []float32 {
	var out []float32
	t.ConstFlatData(func(v any) { out = append(out, v.([]float32)...) })
	return out
}

package akmotion

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/video/flow"
	"github.com/actrepro/actrepro/internal/video/sampling"
)

// colourHist is the 4x4x4 joint colour histogram of packed RGB24 pixels
// (fractions of the pixels).
func colourHist(rgb []byte) []float64 {
	h := make([]float64, 64)
	n := len(rgb) / 3
	for i := 0; i < n; i++ {
		h[int(rgb[3*i])/64*16+int(rgb[3*i+1])/64*4+int(rgb[3*i+2])/64]++
	}
	for k := range h {
		h[k] /= float64(n)
	}
	return h
}

// probeFeatures returns a clip's RGB and flow-image features: the mean and
// the maximum over P=8 sparsely sampled frames of the frame's colour
// histogram, on the RGB frame and on its colour-wheel flow image (the
// same extractor for both). They carry single-frame evidence only: no
// frame order and no position.
func probeFeatures(p *Plan, clip int) (rgb, fl []float64) {
	frames := Render(p)
	idx, _ := sampling.Indices(p.Frames, sampling.Config{Scheme: sampling.Sparse, M: 1, P: 8}, 0, sampling.NewRand(1, uint64(clip)))
	agg := func(hs [][]float64) []float64 {
		out := make([]float64, 2*len(hs[0]))
		for _, h := range hs {
			for k, v := range h {
				out[k] += v / float64(len(hs))
				out[len(h)+k] = math.Max(out[len(h)+k], v)
			}
		}
		return out
	}
	var hr, hf [][]float64
	for _, t := range idx {
		a, b := flow.PairFor(t, p.Frames)
		f, err := flow.ComputeRGB(frames[a], frames[b], p.W, p.H, flow.Options{})
		if err != nil {
			panic(err)
		}
		hr = append(hr, colourHist(frames[t]))
		hf = append(hf, colourHist(flow.Render(f, 3*p.scale())))
	}
	return agg(hr), agg(hf)
}

// logisticScores fits one L2-regularised logistic regression per class on
// standardised features (full-batch gradient descent, fixed steps: no
// selection on val) and returns the val scores.
func logisticScores(xtr [][]float64, ytr [][]bool, xva [][]float64, k int) [][]float64 {
	d := len(xtr[0])
	mu, sd := make([]float64, d), make([]float64, d)
	for _, x := range xtr {
		for j, v := range x {
			mu[j] += v / float64(len(xtr))
		}
	}
	for _, x := range xtr {
		for j, v := range x {
			sd[j] += (v - mu[j]) * (v - mu[j]) / float64(len(xtr))
		}
	}
	z := func(x []float64) []float64 {
		o := make([]float64, d)
		for j, v := range x {
			o[j] = (v - mu[j]) / (math.Sqrt(sd[j]) + 1e-6)
		}
		return o
	}
	ztr := make([][]float64, len(xtr))
	for i, x := range xtr {
		ztr[i] = z(x)
	}
	scores := make([][]float64, len(xva))
	for i := range scores {
		scores[i] = make([]float64, k)
	}
	for c := 0; c < k; c++ {
		w, b := make([]float64, d), 0.0
		for it := 0; it < 300; it++ {
			gw, gb := make([]float64, d), 0.0
			for i, x := range ztr {
				s := b
				for j, v := range x {
					s += w[j] * v
				}
				y := 0.0
				if ytr[i][c] {
					y = 1
				}
				e := 1/(1+math.Exp(-s)) - y
				for j, v := range x {
					gw[j] += e * v / float64(len(ztr))
				}
				gb += e / float64(len(ztr))
			}
			for j := range w {
				w[j] -= 0.5 * (gw[j] + 1e-2*w[j])
			}
			b -= 0.5 * gb
		}
		for i, x := range xva {
			zx := z(x)
			s := b
			for j, v := range zx {
				s += w[j] * v
			}
			scores[i][c] = s
		}
	}
	return scores
}

// TestModalityProbe checks the twin's design claim with a probe that sees
// single frames only: the same colour-histogram features taken from 8
// sparsely sampled RGB frames, from their flow images, or from both, and
// a linear classifier per class. Appearance classes must be read from RGB
// far better than from flow, motion classes from flow far better than from
// RGB, and both together must beat either alone over all classes. (The
// interaction classes need where the other animal is relative to the
// direction of motion, which a histogram cannot represent; the probe logs
// them without a claim.) Rendered frames, before H.264, at 64x48.
func TestModalityProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("probe: a few seconds of rendering and flow")
	}
	o := Options{Seed: 11, NTrain: 120, NVal: 60, Width: 64, Height: 48, MinFrames: 16, MaxFrames: 24}
	plans, err := Plans(o)
	if err != nil {
		t.Fatal(err)
	}
	k := len(Classes)
	var xr, xf, xb [][]float64
	var y [][]bool
	for i, p := range plans {
		r, f := probeFeatures(p, i)
		xr, xf, xb = append(xr, r), append(xf, f), append(xb, append(append([]float64(nil), r...), f...))
		row := make([]bool, k)
		for _, l := range p.Labels {
			row[l] = true
		}
		y = append(y, row)
	}
	n := o.NTrain
	type res struct{ all, motion, appearance, interaction float64 }
	eval := func(x [][]float64) res {
		s := logisticScores(x[:n], y[:n], x[n:], k)
		var r res
		var nm, na, ni float64
		for c := 0; c < k; c++ {
			yc := make([]bool, len(plans)-n)
			sc := make([]float64, len(plans)-n)
			for i := range yc {
				yc[i], sc[i] = y[n+i][c], s[i][c]
			}
			ap, err := metrics.AveragePrecision(yc, sc)
			if err != nil {
				t.Fatalf("class %s: %v", Classes[c].Name, err)
			}
			r.all += ap / float64(k)
			switch Classes[c].Cue {
			case CueMotion:
				r.motion += ap
				nm++
			case CueAppearance:
				r.appearance += ap
				na++
			case CueInteraction:
				r.interaction += ap
				ni++
			}
		}
		r.motion, r.appearance, r.interaction = r.motion/nm, r.appearance/na, r.interaction/ni
		return r
	}
	rgb, fl, both := eval(xr), eval(xf), eval(xb)
	for _, m := range []struct {
		name string
		r    res
	}{{"RGB", rgb}, {"flow", fl}, {"RGB+flow", both}} {
		t.Logf("%-8s macro AP %.3f  motion %.3f  appearance %.3f  interaction %.3f", m.name, m.r.all, m.r.motion, m.r.appearance, m.r.interaction)
	}
	if rgb.appearance < fl.appearance+0.2 {
		t.Errorf("appearance classes: RGB %.3f is not 0.2 above flow %.3f", rgb.appearance, fl.appearance)
	}
	if fl.motion < rgb.motion+0.2 {
		t.Errorf("motion classes: flow %.3f is not 0.2 above RGB %.3f", fl.motion, rgb.motion)
	}
	if both.all < math.Max(rgb.all, fl.all)+0.03 {
		t.Errorf("RGB+flow %.3f does not beat RGB %.3f and flow %.3f by 0.03", both.all, rgb.all, fl.all)
	}
}

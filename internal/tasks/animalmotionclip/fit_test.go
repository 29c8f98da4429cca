package animalmotionclip

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
)

// squareVideo is a t-frame w×w clip of a square of the given colour on a textured grey
// background, moving vx pixels per frame (wrapping around).
func squareVideo(t, w int, col [3]uint8, vx int, r *rand.Rand) *data.Video {
	v := &data.Video{T: t, H: w, W: w, RGB: make([]uint8, t*w*w*3)}
	bg := make([]uint8, w*w)
	for i := range bg {
		bg[i] = uint8(100 + r.IntN(40))
	}
	x0, y0, side := r.IntN(w), w/4+r.IntN(w/4), w/3
	for f := range t {
		fr := v.Frame(f)
		for y := range w {
			for x := range w {
				p := (y*w + x) * 3
				dx := ((x-x0-f*vx)%w + w) % w
				if dx < side && y >= y0 && y < y0+side {
					fr[p], fr[p+1], fr[p+2] = col[0], col[1], col[2]
				} else {
					fr[p], fr[p+1], fr[p+2] = bg[y*w+x], bg[y*w+x], bg[y*w+x]
				}
			}
		}
	}
	return v
}

// tinyDataset: class 0 "moving right" (vx > 0), class 1 "moving left", class 2 "red" (the
// square's colour, any motion); the square is red or blue at random.
func tinyDataset(t *testing.T, nTrain, nVal, s int) *Dataset {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	ds := &Dataset{Classes: []string{"moving right", "moving left", "red"}, Size: s, TrainCounts: make([]int, 3)}
	make1 := func() Clip {
		vx := []int{-2, 2}[r.IntN(2)]
		red := r.IntN(2) == 0
		col := [3]uint8{40, 60, 220}
		if red {
			col = [3]uint8{220, 40, 40}
		}
		c, _, err := PrepareVideo(squareVideo(12, 2*s, col, vx, r), s, 2)
		if err != nil {
			t.Fatal(err)
		}
		if vx > 0 {
			c.Labels = append(c.Labels, 0)
		} else {
			c.Labels = append(c.Labels, 1)
		}
		if red {
			c.Labels = append(c.Labels, 2)
		}
		return *c
	}
	for range nTrain {
		ds.Train = append(ds.Train, make1())
		for _, l := range ds.Train[len(ds.Train)-1].Labels {
			ds.TrainCounts[l]++
		}
	}
	for range nVal {
		ds.Val = append(ds.Val, make1())
	}
	return ds
}

func tinyConfig(modality string) Config {
	c := DefaultConfig()
	c.Data.Dataset, c.Data.Source, c.Data.FrameSize = "animalkingdom", "synthetic", 16
	c.Model.Modality, c.Model.M, c.Model.P, c.Model.Patch, c.Model.Width, c.Model.Heads = modality, 2, 3, 4, 16, 2
	c.Train.Epochs, c.Train.Batch, c.Train.LearningRate = 12, 8, 3e-3
	return c
}

// TestFitLearnsMotion: on squares moving left or right, the direction classes are learnt
// from flow (flow only and RGB+flow rank them well above chance) and the run repeats exactly.
func TestFitLearnsMotion(t *testing.T) {
	const minDirectionAP, minMacro = 0.75, 0.65
	ds := tinyDataset(t, 32, 16, 16)
	text, err := TextEmbeddings(ds.Classes, 3)
	if err != nil {
		t.Fatal(err)
	}
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	labels := make([][]int, len(ds.Val))
	for i, v := range ds.Val {
		labels[i] = v.Labels
	}
	for _, mod := range []string{ModalityFlow, ModalityBoth} {
		var first float64
		for run := range 2 {
			res, err := Fit(context.Background(), backend, tinyConfig(mod), ds, text, runner.Discard)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := metrics.EvaluateMultiLabel(labels, 3, res.Scores, ds.TrainCounts, len(ds.Train), 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: macro mAP %.3f per class %v loss %v", mod, ev.Macro, ev.PerClass, res.TrainLoss)
			// Chance AP is about the prevalence, 0.5. Measured on purego (2026-11-29): flow 1.00
			// and 0.87 on the two directions; rgb+flow macro 0.787.
			if dir := (ev.PerClass[0] + ev.PerClass[1]) / 2; mod == ModalityFlow && !(dir >= minDirectionAP) {
				t.Errorf("flow: direction classes' mean AP %.3f < %.2f", dir, minDirectionAP)
			}
			if !(ev.Macro >= minMacro) {
				t.Errorf("%s: macro mAP %.3f < %.2f", mod, ev.Macro, minMacro)
			}
			if run == 0 {
				first = ev.Macro
				continue
			}
			if ev.Macro != first {
				t.Errorf("%s: macro mAP %v then %v: not deterministic", mod, first, ev.Macro)
			}
		}
	}
}

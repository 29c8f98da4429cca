package animalmotionclip

import (
	"context"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
)

// TestHeldOutSelection is the harness every choice of runs.toml was selected with: the full
// spec's twin, training on the first 120 of its 160 TRAIN clips and scoring the other 40 TRAIN
// clips (never the val clips the tables report). It runs only when $AMCLIP_HELDOUT names the
// variants, e.g. AMCLIP_HELDOUT="rgb/sparse,rgb/sparse/untrained"; each variant is
// modality/scheme[/untrained][/stem=N][/epochs=N][/lr=X]. With $AMCLIP_PROBE set it also writes
// one middle RGB frame per train clip (uint8, then the labels) for testdata's pixel probe.
func TestHeldOutSelection(t *testing.T) {
	variants := os.Getenv("AMCLIP_HELDOUT")
	if variants == "" {
		t.Skip("set AMCLIP_HELDOUT to run the held-out selection harness")
	}
	base := DefaultConfig()
	base.Data.Dataset, base.Data.Source = "animalkingdom", "synthetic"
	base.Data.DecodeSize, base.Data.FrameSize, base.Data.FlowMax, base.Data.FlowInvert = 64, 32, 1, true
	base.Data.Twin.Train, base.Data.Twin.Val = 160, 80
	base.Train.Epochs, base.Train.Batch = 15, 4
	if v := os.Getenv("AMCLIP_FRAME"); v != "" {
		base.Data.FrameSize, _ = strconv.Atoi(v)
	}
	dir, err := base.DataDir("")
	if err != nil {
		t.Fatal(err)
	}
	full, err := Prepare(context.Background(), dir, base.Data)
	if err != nil {
		t.Fatal(err)
	}
	ds := *full
	ds.Train, ds.Val = full.Train[:120], full.Train[120:]
	ds.TrainCounts = make([]int, len(ds.Classes))
	for _, c := range ds.Train {
		for _, l := range c.Labels {
			ds.TrainCounts[l]++
		}
	}
	if p := os.Getenv("AMCLIP_PROBE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		s := full.Size
		binary.Write(f, binary.LittleEndian, [3]int32{int32(len(full.Train)), int32(s), int32(len(ds.Classes))})
		for _, c := range full.Train {
			f.Write(c.Frame(c.T/2, false, s))
			y := make([]byte, len(ds.Classes))
			for _, l := range c.Labels {
				y[l] = 1
			}
			f.Write(y)
		}
		f.Close()
	}
	text, err := TextEmbeddings(ds.Classes, base.Data.TextDim)
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
	for _, v := range strings.Split(variants, ",") {
		c := base
		parts := strings.Split(v, "/")
		c.Model.Modality, c.Model.Scheme = parts[0], parts[1]
		for _, o := range parts[2:] {
			k, val, _ := strings.Cut(o, "=")
			f, _ := strconv.ParseFloat(val, 64)
			switch k {
			case "untrained":
				c.Train.Epochs, c.Train.LearningRate = 1, 1e-5
			case "stem":
				c.Model.Stem = int(f)
			case "epochs":
				c.Train.Epochs = int(f)
			case "lr":
				c.Train.LearningRate = f
			case "patch":
				c.Model.Patch = int(f)
			case "batch":
				c.Train.Batch = int(f)
			}
		}
		start := time.Now()
		res, err := Fit(context.Background(), backend, c, &ds, text, runner.Discard)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := metrics.EvaluateMultiLabel(labels, len(ds.Classes), res.Scores, ds.TrainCounts, len(ds.Train), 0)
		if err != nil {
			t.Fatal(err)
		}
		pc := make([]string, len(ev.PerClass))
		for i, a := range ev.PerClass {
			pc[i] = strconv.FormatFloat(a, 'f', 2, 64)
		}
		t.Logf("HELDOUT %-40s macro %.1f chance %.1f loss %.3f->%.3f per-class [%s] %.0fs", v, 100*ev.Macro, 100*chanceMAP(labels, len(ds.Classes)),
			res.TrainLoss[0], res.TrainLoss[len(res.TrainLoss)-1], strings.Join(pc, " "), time.Since(start).Seconds())
	}
}

package artemis

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/results"
)

func rec(text string, hv, seq bool, v float64, src string) results.Record {
	return results.Record{
		Hash: text, DataSource: src,
		Axes: map[string]any{"model.text_layer": text, "model.R_Hv": hv, "model.R_seq": seq,
			"model.R_b": false, "model.R_Hq": false, "model.F_r": false},
		Metrics: map[string]float64{"map_batch_micro": v},
	}
}

func TestPairByResiduals(t *testing.T) {
	recs := []results.Record{
		rec("none", false, false, 0.1, "synthetic"), rec("conv", false, false, 0.2, "synthetic"),
		rec("none", true, false, 0.3, "synthetic"), rec("conv", true, false, 0.5, "synthetic"),
		rec("none", true, true, 0.7, "synthetic"),  // no conv partner: dropped
		rec("gru", false, false, 0.9, "synthetic"), // other layer: ignored
	}
	a, b, src, err := PairByResiduals(recs, "none", "conv", "map_batch_micro")
	if err != nil {
		t.Fatal(err)
	}
	// Pairs ordered by the residual key "false,false,..." < "true,false,...".
	wantA, wantB := []float64{0.1, 0.3}, []float64{0.2, 0.5}
	for i := range wantA {
		if a[i] != wantA[i] || b[i] != wantB[i] {
			t.Fatalf("pairs %v / %v, want %v / %v", a, b, wantA, wantB)
		}
	}
	if src["synthetic"] != 5 {
		t.Errorf("sources %v, want 5 synthetic records of the two layers", src)
	}
	if _, _, _, err := PairByResiduals(recs[:2], "none", "conv", "map_batch_micro"); err == nil {
		t.Error("one pair accepted, want an error (a paired test needs at least two)")
	}
}

func TestQuartiles(t *testing.T) {
	// numpy.percentile([1, 2, 3, 4, 10], [25, 50, 75]) = [2, 3, 4] (linear); mean 4.
	q := quartiles([]float64{10, 1, 3, 2, 4})
	const tol = 1e-12
	for k, want := range map[string]float64{"q1": 2, "median": 3, "q3": 4, "mean": 4} {
		if math.Abs(q[k]-want) > tol {
			t.Errorf("%s = %v, want %v", k, q[k], want)
		}
	}
}

func TestSegmentCountsScale(t *testing.T) {
	// A subset of 2,400 clips: counts scale by 24004/2400 to the real split.
	tr := syntheticTrack(2400, []int{60, 10, 5})
	got, note := segmentCounts(tr)
	want := []int{600, 100, 50} // head (>500), middle (100..500), tail (<100)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("count %d = %d, want %d", i, got[i], want[i])
		}
	}
	if note == "" {
		t.Error("scaled counts without a note")
	}
}

func syntheticTrack(n int, counts []int) *data.AKTrack {
	t := &data.AKTrack{Source: "synthetic", TrainCounts: counts}
	t.Train.IDs = make([]string, n)
	return t
}

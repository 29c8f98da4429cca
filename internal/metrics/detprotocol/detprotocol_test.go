package detprotocol

import (
	"math"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/metrics"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Protocol
		ok   bool
	}{{"afsd", AFSD, true}, {" ActivityNet ", ActivityNet, true}, {"thumos", "", false}, {"", "", false}} {
		got, err := Parse(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("Parse(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "afsd") {
			t.Errorf("error %q does not list the protocols", err)
		}
	}
	for _, p := range Protocols {
		if p.Note() == string(p) {
			t.Errorf("%s has no note", p)
		}
	}
}

// TestProtocolsByHand: one class, two instances in video a; predictions:
// a perfect hit (0.9), a prediction on video z without ground truth (0.95)
// and one with an unknown label (0.99).
//
// afsd drops the last two: precision 1 at recall 1/2, AP = 0.5.
// activitynet (without the unknown label): z ranks first, a false
// positive; the hit is 1 TP of 2 predictions: AP = 0.5·0.5 = 0.25.
func TestProtocolsByHand(t *testing.T) {
	gt := []metrics.GTSegment{{Video: "a", Label: "Jump", Start: 0, End: 10}, {Video: "a", Label: "Jump", Start: 20, End: 30}}
	pred := []metrics.Detection{
		{Video: "a", Label: "Jump", Start: 0, End: 10, Score: 0.9},
		{Video: "z", Label: "Jump", Start: 0, End: 10, Score: 0.95},
		{Video: "a", Label: "Ambiguous", Start: 20, End: 30, Score: 0.99},
	}
	r, err := Evaluate(AFSD, gt, pred, []float64{0.5})
	if err != nil {
		t.Fatal(err)
	}
	if r.MAP[0] != 0.5 || r.DroppedNoGT != 1 || r.DroppedLabel != 1 || r.Evaluated != 1 || len(r.DroppedVideos) != 1 || r.DroppedVideos[0] != "z" {
		t.Errorf("afsd: %+v", r)
	}
	if _, err := Evaluate(ActivityNet, gt, pred, []float64{0.5}); err == nil || !strings.Contains(err.Error(), "Ambiguous") || !strings.Contains(err.Error(), "activitynet") {
		t.Errorf("activitynet with an unknown label: %v", err)
	}
	r, err = Evaluate(ActivityNet, gt, pred[:2], []float64{0.5})
	if err != nil {
		t.Fatal(err)
	}
	if r.MAP[0] != 0.25 || r.DroppedNoGT != 0 || r.Evaluated != 2 {
		t.Errorf("activitynet: %+v", r)
	}
	if _, err := Evaluate("thumos", gt, pred, []float64{0.5}); err == nil {
		t.Error("unknown protocol: no error")
	}
	if _, err := Evaluate(AFSD, nil, pred, []float64{0.5}); err == nil {
		t.Error("empty ground truth: no error")
	}
}

func TestPerClassAt(t *testing.T) {
	gt := []metrics.GTSegment{{Video: "a", Label: "A", Start: 0, End: 10}, {Video: "a", Label: "B", Start: 20, End: 30}}
	pred := []metrics.Detection{{Video: "a", Label: "A", Start: 0, End: 6, Score: 1}} // tIoU 0.6
	r, err := Evaluate(AFSD, gt, pred, THUMOSTIoU)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    float64
		a, b float64
	}{{0.5, 1, 0}, {0.6, 1, 0}, {0.7, 0, 0}} {
		ap, err := r.PerClassAt(tc.t)
		if err != nil || ap["A"] != tc.a || ap["B"] != tc.b || len(ap) != 2 {
			t.Errorf("@%v: %v, %v", tc.t, ap, err)
		}
	}
	if _, err := r.PerClassAt(0.55); err == nil {
		t.Error("a threshold not evaluated: no error")
	}
	if i := r.Index(0.1 + 0.2); i != 2 { // 0.30000000000000004
		t.Errorf("Index(0.1+0.2) = %d", i)
	}
	if math.Abs(r.Average-(0.5*6/7+0*1/7)) > 1e-15 {
		t.Errorf("average %v", r.Average)
	}
}

func TestRestrict(t *testing.T) {
	gt := []metrics.GTSegment{{Video: "a", Label: "A"}, {Video: "b", Label: "B"}, {Video: "a", Label: "C"}}
	got := Restrict(gt, []string{"a", "z"})
	if len(got) != 2 || got[0].Label != "A" || got[1].Label != "C" {
		t.Errorf("Restrict = %+v", got)
	}
	if len(Restrict(gt, nil)) != 0 {
		t.Error("Restrict to no video kept instances")
	}
}

package fixturetest

import (
	"fmt"
	"math"
	"testing"

	"github.com/actrepro/actrepro/internal/data/npy"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func TestRelErr(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []float32
		e         float64
	}{
		{"equal", []float32{1, -2}, []float32{1, -2}, 0},
		{"scaled by max|want|", []float32{1, -2.5}, []float32{1, -2}, 0.25},
		{"zero reference", []float32{1e-7}, []float32{0}, 0.1},
		{"length", []float32{1}, []float32{1, 2}, math.Inf(1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e := RelErr(c.got, c.want); math.Abs(e-c.e) > 1e-6 && e != c.e {
				t.Errorf("RelErr = %g, want %g", e, c.e)
			}
		})
	}
}

func TestRelErrFloorAndMaxAbs(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []float32
		floor, e  float64
	}{
		{"reference above the floor", []float32{1, -2.5}, []float32{1, -2}, 0.5, 0.25},
		{"floor above the reference", []float32{0.1, 0}, []float32{0, 0}, 0.5, 0.2},
		{"length", []float32{1}, []float32{1, 2}, 1, math.Inf(1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e := RelErrFloor(c.got, c.want, c.floor); math.Abs(e-c.e) > 1e-6 && e != c.e {
				t.Errorf("RelErrFloor = %g, want %g", e, c.e)
			}
		})
	}
	if m := MaxAbs([]float32{0.5, -3, 2}); m != 3 {
		t.Errorf("MaxAbs = %g, want 3", m)
	}
	if m := MaxAbs(nil); m != 0 {
		t.Errorf("MaxAbs(nil) = %g, want 0", m)
	}
}

// recorder counts Errorf calls instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCompareAndLoadWeights(t *testing.T) {
	arr := map[string]*npy.Array{
		"w:/a:w":  {Data: []float32{1, 2}, Shape: []int{2}},
		"w::bias": {Data: []float32{3}, Shape: []int{1}},
		"in:y":    {Data: []float32{1, 0, 2}, Shape: []int{3}},
		"out:p":   {Data: []float32{1, 2}, Shape: []int{2}},
	}
	ctx := context.New()
	ws := LoadWeights(ctx, arr)
	if len(ws) != 2 || ws[1] != (Weight{"/", "bias", "w::bias"}) || ws[0].GradKey() != "g:/a:w" {
		t.Fatalf("weights %+v", ws)
	}
	if v := ctx.InspectVariable("/a", "w"); v == nil || fmt.Sprint(Flat(v.MustValue())) != "[1 2]" {
		t.Errorf("variable /a/w = %v", v)
	}
	if got := tensors.MustCopyFlatData[int32](Int32(arr["in:y"])); fmt.Sprint(got) != "[1 0 2]" {
		t.Errorf("Int32 = %v", got)
	}
	r := &recorder{TB: t}
	Compare(r, arr, []string{"out:p"}, []*tensors.Tensor{Tensor(arr["out:p"])}, 1e-9, nil)
	worst, key := Compare(r, arr, []string{"out:p"}, []*tensors.Tensor{tensors.FromValue([]float32{1, 2.2})}, 0.05, nil)
	if len(r.errs) != 1 || key != "out:p" || math.Abs(worst-0.1) > 1e-6 {
		t.Errorf("Compare: errors %q, worst %g at %q; want one error, 0.1 at out:p", r.errs, worst, key)
	}
}

func TestSmoothAndLSTMStep(t *testing.T) {
	v := tensors.MustCopyFlatData[float64](Smooth(0.3, 0.8, 2, 2))
	if len(v) != 4 || v[1] != 0.8*math.Sin(0.3+0.71) {
		t.Errorf("Smooth = %v", v)
	}
	// sig = identity, c = 1: c' = f*c + i*tanh(g), h = o*tanh(c').
	h, c := KerasLSTMStep([]float64{0.5, 0.25, 1, 2}, 1, func(z float64) float64 { return z })
	if wantC := 0.25 + 0.5*math.Tanh(1); c != wantC || h != 2*math.Tanh(wantC) {
		t.Errorf("KerasLSTMStep = %g, %g", h, c)
	}
}

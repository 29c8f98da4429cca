package afsd

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The reference fixtures testdata/{afsd,softnms}.npz come from testdata/gen_fixtures.py: an
// independent functional PyTorch AFSD head (torch 1.13.0a0, numpy 1.24.2, Debian python3-torch)
// computed in float64 and stored as float32; the Go model runs in float32 on purego.
const (
	// fixtureTol bounds max|go - ref| / max|ref| per tensor: float32 against a float64 reference
	// through ~20 layers with GroupNorm.
	fixtureTol = 2e-4
	// nmsTol bounds the absolute error of soft-NMS scores (float64 on both sides).
	nmsTol = 1e-6
)

// fixtureConfig is gen_fixtures.py's D, C, G, K, L and levels.
func fixtureConfig() Config {
	return Config{FeatureDim: 6, Channels: 8, Groups: 2, Classes: 3, ClipLength: 64, Levels: 4}
}

// TestFixtureForwardLossesGradients: with the fixture's weights, every head output, the level-0
// pooling ranges, each loss and the gradients of the total loss with respect to every weight
// and the input match the PyTorch reference; the host-side target assignment and boundary
// masks match it exactly.
func TestFixtureForwardLossesGradients(t *testing.T) {
	arr := fixturetest.Read(t, "afsd.npz")
	c := fixtureConfig()
	// Host side: targets and masks of each window.
	for i := range 2 {
		a := arr["in:annos"+string(rune('0'+i))]
		var annos []Segment
		for r := 0; r < a.Shape[0]; r++ {
			annos = append(annos, Segment{Start: float64(a.Data[3*r]), End: float64(a.Data[3*r+1]), Label: int(a.Data[3*r+2])})
		}
		loc, conf := AssignTargets(c, annos)
		P := c.Points()
		if e := fixturetest.RelErr(loc, arr["in:loc_t"].Data[i*2*P:(i+1)*2*P]); e > 1e-6 {
			t.Errorf("window %d: target distances differ by %.3g", i, e)
		}
		for j, v := range conf {
			if float32(v) != arr["in:conf_t"].Data[i*P+j] {
				t.Fatalf("window %d point %d: class %d, want %v", i, j, v, arr["in:conf_t"].Data[i*P+j])
			}
		}
		st, en := Masks(annos, c.ClipLength)
		for j := range st {
			if st[j] != arr["in:start"].Data[i*c.ClipLength+j] || en[j] != arr["in:end"].Data[i*c.ClipLength+j] {
				t.Fatalf("window %d frame %d: masks %v/%v, want %v/%v", i, j, st[j], en[j], arr["in:start"].Data[i*c.ClipLength+j], arr["in:end"].Data[i*c.ClipLength+j])
			}
		}
	}

	backend := fixturetest.Backend(t)
	ctx := context.New()
	keys := fixturetest.LoadWeights(ctx, arr)
	exec := context.MustNewExec(backend, ctx.Reuse(), func(ctx *context.Context, in []*Node) []*Node {
		x := in[0]
		t4, t5 := Taps(x)
		o := Forward(ctx, c, t4, t5)
		segs, fsegs := boundaries(c, StopGradient(Slice(o.Loc, AxisRange(), AxisRange(0, c.FeatT()))), c.FeatT())
		ls := ComputeLosses(o, Targets{Loc: in[1], Conf: in[2], Start: in[3], End: in[4]})
		res := []*Node{o.Loc, o.Conf, o.PropLoc, o.PropConf, o.Center, o.Start, o.End, o.StartLocProp, o.EndLocProp,
			o.StartConfProp, o.EndConfProp, segs, fsegs, ls.Loc, ls.Conf, ls.PropLoc, ls.PropConf, ls.Quality, ls.Start, ls.End, ls.Total,
			BoundaryMaxPool(in[5], in[6])}
		for _, k := range keys {
			res = append(res, Gradient(ls.Total, ctx.InAbsPath(k.Scope).GetVariable(k.Name).ValueGraph(x.Graph()))...)
		}
		return append(res, Gradient(ls.Total, x)...)
	})
	outs, err := exec.Exec([]any{fixturetest.Tensor(arr["in:x"]), fixturetest.Tensor(arr["in:loc_t"]), fixturetest.Int32(arr["in:conf_t"]),
		fixturetest.Tensor(arr["in:start"]), fixturetest.Tensor(arr["in:end"]), fixturetest.Tensor(arr["in:bmp_x"]), fixturetest.Tensor(arr["in:bmp_segs"])}...)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"out:loc", "out:conf", "out:ploc", "out:pconf", "out:center", "out:start", "out:end", "out:slp", "out:elp",
		"out:scp", "out:ecp", "out:segs0", "out:fsegs0", "out:loss_loc", "out:loss_conf", "out:loss_prop_loc", "out:loss_prop_conf",
		"out:loss_quality", "out:loss_start", "out:loss_end", "out:loss_total", "out:bmp"}
	for _, k := range keys {
		names = append(names, k.GradKey())
	}
	names = append(names, "g:x")
	fixturetest.Compare(t, arr, names, outs, fixtureTol, nil)
}

// TestFixtureSoftNMS: the kept boxes and their decayed scores match softnms_v2 with and without
// AFSD's drop-the-last quirk, at σ 0.5 (AFSD) and 0.01 (GAF's yaml).
func TestFixtureSoftNMS(t *testing.T) {
	arr := fixturetest.Read(t, "softnms.npz")
	in := arr["in:boxes"]
	var boxes []Box
	for i := 0; i < in.Shape[0]; i++ {
		boxes = append(boxes, Box{Start: float64(in.Data[3*i]), End: float64(in.Data[3*i+1]), Score: float64(in.Data[3*i+2]), Class: 1})
	}
	for _, c := range []struct {
		name  string
		sigma float64
		quirk bool
	}{{"quirk_s05", 0.5, true}, {"noquirk_s05", 0.5, false}, {"quirk_s001", 0.01, true}} {
		t.Run(c.name, func(t *testing.T) {
			got := SoftNMS(boxes, c.sigma, NMSScoreThresh, TopK, c.quirk)
			want := arr["out:"+c.name]
			if len(got) != want.Shape[0] {
				t.Fatalf("%d boxes kept, want %d", len(got), want.Shape[0])
			}
			for i, b := range got {
				w := want.Data[3*i : 3*i+3]
				if math.Abs(b.Start-float64(w[0])) > 1e-5 || math.Abs(b.End-float64(w[1])) > 1e-5 || math.Abs(b.Score-float64(w[2])) > nmsTol+1e-6*math.Abs(float64(w[2])) {
					t.Errorf("box %d: %+v, want %v", i, b, w)
				}
			}
		})
	}
}

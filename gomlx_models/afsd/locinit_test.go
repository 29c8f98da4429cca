package afsd

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestLocInit: on an all-zero window every GroupNorm output and bias is zero, so the coarse
// distances are exp(scale·bias): 1 frame with the default init, LocInit frames with the option.
func TestLocInit(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	for _, li := range []float64{0, 16, 3.5} {
		c := Config{FeatureDim: 3, Channels: 4, Groups: 2, Classes: 2, ClipLength: 32, Levels: 2, LocInit: li}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		ctx := context.New()
		exec := context.MustNewExec(backend, ctx, func(ctx *context.Context, x *Node) *Node {
			t4, t5 := Taps(x)
			return Forward(ctx, c, t4, t5).Loc
		})
		out := exec.MustExec(tensors.FromFlatDataAndDimensions(make([]float32, 2*32*3), 2, 32, 3))[0]
		want := 1.0
		if li > 0 {
			want = li
		}
		out.ConstFlatData(func(a any) {
			for i, v := range a.([]float32) {
				if math.Abs(float64(v)-want) > 1e-4*want {
					t.Fatalf("loc init %g: distance %d is %g, want %g", li, i, v, want)
				}
			}
		})
	}
	if err := (Config{FeatureDim: 3, Channels: 4, Groups: 2, Classes: 2, ClipLength: 32, Levels: 2, LocInit: -1}).Validate(); err == nil {
		t.Error("loc init -1 accepted")
	}
}

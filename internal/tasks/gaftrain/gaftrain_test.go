package gaftrain

import (
	"math/rand/v2"
	"testing"

	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
)

func TestNoise(t *testing.T) {
	for _, tc := range []struct{ s, n, z int }{{1, 1, 1}, {2, 6, 4}} {
		got := Noise(rand.New(rand.NewPCG(7, 0x6af)), tc.s, tc.n, tc.z)
		if d := got.Shape().Dimensions; len(d) != 3 || d[0] != tc.s || d[1] != tc.n || d[2] != tc.z {
			t.Fatalf("Noise(%d, %d, %d): shape %v", tc.s, tc.n, tc.z, got.Shape())
		}
		want := rand.New(rand.NewPCG(7, 0x6af))
		for i, v := range tensors.MustCopyFlatData[float32](got) {
			if w := float32(want.NormFloat64()); v != w {
				t.Fatalf("Noise(%d, %d, %d)[%d] = %g, want the rng's %g", tc.s, tc.n, tc.z, i, v, w)
			}
		}
	}
}

func TestReconWeight(t *testing.T) {
	for _, tc := range []struct {
		scale         float64
		epoch, epochs int
		want          float32
	}{{0.5, 1, 20, 0.025}, {0.5, 20, 20, 0.5}, {1, 3, 4, 0.75}, {0, 5, 5, 0}} {
		if got := tensors.ToScalar[float32](ReconWeight(tc.scale, tc.epoch, tc.epochs)); got != tc.want {
			t.Errorf("ReconWeight(%g, %d, %d) = %g, want %g", tc.scale, tc.epoch, tc.epochs, got, tc.want)
		}
	}
}

func TestAddLossNil(t *testing.T) {
	if AddLoss(nil, nil) != nil {
		t.Fatal("AddLoss(nil, nil) is not nil")
	}
}

func TestFreezeCVAE(t *testing.T) {
	gctx := mlctx.New()
	vars := []struct {
		scope  []string
		frozen bool
	}{
		{[]string{"rgb", gafm.CVAEScope, "enc"}, true},
		{[]string{"flow", gafm.CVAEScope}, true},
		{[]string{"rgb", "lambda"}, false},
		{[]string{"rgb", "detector"}, false},
	}
	made := make([]*mlctx.Variable, len(vars))
	for i, v := range vars {
		c := gctx
		for _, s := range v.scope {
			c = c.In(s)
		}
		made[i] = c.VariableWithValue("w", float32(1))
	}
	FreezeCVAE(gctx)
	for i, v := range vars {
		if got := !made[i].Trainable; got != v.frozen {
			t.Errorf("%v: frozen %v, want %v", v.scope, got, v.frozen)
		}
	}
}

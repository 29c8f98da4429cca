package gradcheck_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

func vec(v ...float64) []*tensors.Tensor { return []*tensors.Tensor{tensors.FromValue(v)} }

// TestKinks checks how Run treats kinks: a ReLU input exactly at 0 is skipped (with a log
// line) and the next coordinate checked instead; a wrong gradient of a smooth function is
// not mistaken for a kink; a tensor whose every tried coordinate is a kink, or a case with too
// many kinks, fails.
func TestKinks(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	relu := func(_ *context.Context, x []*Node) *Node { return activations.Relu(x[0]) }
	for _, tc := range []struct {
		name      string
		c         gradcheck.Case
		checked   int
		kinks     []int  // indices skipped
		errSubstr string // "" for a pass
	}{
		{name: "smooth", c: gradcheck.Case{Inputs: vec(0, 0.5, -0.3, 1, 2, -1, 0.1, 0.2), MaxCoords: 4,
			Build: func(_ *context.Context, x []*Node) *Node { return Tanh(x[0]) }}, checked: 4},
		{name: "relu at 0 replaced by the next coordinate", c: gradcheck.Case{Inputs: vec(0, 0.5, -0.3, 1, 2, -1, 0.1, 0.2), MaxCoords: 4,
			Build: relu}, checked: 4, kinks: []int{0}},
		{name: "relu within h of 0", c: gradcheck.Case{Inputs: vec(-0.5e-6, 0.5, -0.3, 1, 2, -1, 0.1, 0.2), MaxCoords: 4,
			Build: relu}, checked: 4, kinks: []int{0}},
		{name: "every coordinate on a kink", c: gradcheck.Case{Inputs: vec(0, 0, 0, 0), Build: relu},
			errSubstr: "input#0: no coordinate checked, every one tried sits on a kink"},
		{name: "too many kinks", c: gradcheck.Case{Inputs: vec(0, 1, 0, 1, 0, 1, 0, 1), MaxCoords: 8, Build: relu},
			errSubstr: "4 of the 8 coordinates tried sit on kinks"},
		{name: "wrong gradient is no kink", c: gradcheck.Case{Inputs: vec(0.3, -0.2, 0.9),
			Build: func(_ *context.Context, x []*Node) *Node {
				return Sin(IdentityWithCustomGradient(x[0], func(_, v *Node) *Node { return MulScalar(v, 1.001) }))
			}},
			errSubstr: "agree: no kink"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Name = tc.name
			var logged []string
			tc.c.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
			res, err := gradcheck.Run(backend, tc.c, gradcheck.DefaultTolerance)
			if tc.errSubstr == "" && err != nil || tc.errSubstr != "" && (err == nil || !strings.Contains(err.Error(), tc.errSubstr)) {
				t.Fatalf("got error %v, want %q", err, tc.errSubstr)
			}
			if tc.errSubstr != "" {
				return
			}
			var idx []int
			for _, k := range res.Kinks {
				idx = append(idx, k.Index)
			}
			if res.Checked != tc.checked || !slices.Equal(idx, tc.kinks) {
				t.Errorf("checked %d, kinks at %v; want %d, %v", res.Checked, idx, tc.checked, tc.kinks)
			}
			if len(logged) != len(tc.kinks) {
				t.Errorf("logged %q, want one line per kink", logged)
			}
			for _, l := range logged {
				if !strings.Contains(l, "skipping coordinate input#0[") || !strings.Contains(l, "disagree: kink") {
					t.Errorf("log line %q", l)
				}
			}
		})
	}
}

// TestSeed checks that variables drawn from the context's RNG are the same in every run with
// the same Seed, and differ with another.
func TestSeed(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed int64) []float64 {
		res, err := gradcheck.Run(backend, gradcheck.Case{Name: "random weights", Inputs: vec(0.1, 0.2, 0.3), Seed: seed,
			Build: func(ctx *context.Context, x []*Node) *Node {
				w := ctx.WithInitializer(initializers.RandomNormalFn(ctx, 1)).VariableWithShape("w", x[0].Shape()).ValueGraph(x[0].Graph())
				return Tanh(Mul(x[0], w))
			}}, gradcheck.DefaultTolerance)
		if err != nil {
			t.Fatal(err)
		}
		return res.Analytic[0] // d loss / d input: depends on w
	}
	a, b, c := run(0), run(gradcheck.DefaultSeed), run(7)
	if !slices.Equal(a, b) {
		t.Errorf("seed 0 (default) %v and DefaultSeed %v differ", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds %d and 7 give the same gradients %v", gradcheck.DefaultSeed, a)
	}
}

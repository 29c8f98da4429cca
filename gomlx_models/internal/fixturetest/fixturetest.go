// Package fixturetest is the shared scaffolding of the gomlx_models tests: it loads the PyTorch
// reference fixtures (.npz from each model's testdata/gen_fixtures.py) into tensors and context
// variables and compares Go outputs with them under a named tolerance, reports gradient checks
// (gradcheck.Run stays in each test file, for .ci/stress.sh), and holds the by-hand Keras LSTM
// step and the paper-summary check of the LSTM models. It is test support only: no non-test
// code may import it (task code fingerprints stay unchanged).
package fixturetest

import (
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data/npy"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Backend returns a purego backend, finalized when t ends.
func Backend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Finalize)
	return b
}

// Read reads testdata/<name>, failing t on error.
func Read(t testing.TB, name string) map[string]*npy.Array {
	t.Helper()
	arr, err := npy.ReadNPZ(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return arr
}

// RelErr is max|got - want| / max(max|want|, 1e-6), +Inf if the lengths differ.
func RelErr(got, want []float32) float64 { return RelErrFloor(got, want, 1e-6) }

// RelErrFloor is max|got - want| / max(max|want|, floor), +Inf if the lengths differ: floor
// sets the scale below which a reference counts as zero (e.g. a fraction of the largest
// gradient of a case, for gradients that are zero in exact arithmetic).
func RelErrFloor(got, want []float32, floor float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var num float64
	for i := range want {
		num = math.Max(num, math.Abs(float64(got[i])-float64(want[i])))
	}
	return num / math.Max(MaxAbs(want), floor)
}

// MaxAbs is max|v|, 0 for an empty v.
func MaxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

// Flat returns a float32 tensor's values.
func Flat(t *tensors.Tensor) []float32 {
	var out []float32
	t.ConstFlatData(func(v any) { out = append(out, v.([]float32)...) })
	return out
}

// Tensor is a float32 tensor holding a copy of a.
func Tensor(a *npy.Array) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(append([]float32(nil), a.Data...), a.Shape...)
}

// Int32 is an int32 tensor of a's values (class labels stored as float32).
func Int32(a *npy.Array) *tensors.Tensor {
	v := make([]int32, len(a.Data))
	for i, x := range a.Data {
		v[i] = int32(x)
	}
	return tensors.FromFlatDataAndDimensions(v, a.Shape...)
}

// Weight is one "w:<scope>:<name>" array of a fixture.
type Weight struct{ Scope, Name, Key string }

// GradKey is the fixture key of the weight's reference gradient, "g:<scope>:<name>".
func (w Weight) GradKey() string { return "g" + strings.TrimPrefix(w.Key, "w") }

// LoadWeights puts every "w:<scope>:<name>" array of a fixture into ctx (an empty scope is the
// root "/") and returns the weights sorted by key.
func LoadWeights(ctx *context.Context, arr map[string]*npy.Array) []Weight {
	var ws []Weight
	for k, a := range arr {
		if !strings.HasPrefix(k, "w:") {
			continue
		}
		p := strings.Split(k, ":")
		scope := p[1]
		if scope == "" {
			scope = "/"
		}
		ctx.InAbsPath(scope).VariableWithValue(p[2], Tensor(a))
		ws = append(ws, Weight{scope, p[2], k})
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].Key < ws[j].Key })
	return ws
}

// Compare checks outs[i] against the fixture array keys[i] for every i: a missing key or a
// count mismatch is fatal, an error relErr(got, want) above tol (or NaN) is reported with
// t.Errorf. relErr nil means RelErr. It returns the worst error and its key.
func Compare(t testing.TB, arr map[string]*npy.Array, keys []string, outs []*tensors.Tensor, tol float64,
	relErr func(got, want []float32) float64) (worst float64, worstKey string) {
	t.Helper()
	if relErr == nil {
		relErr = RelErr
	}
	if len(keys) != len(outs) {
		t.Fatalf("%d outputs for %d keys", len(outs), len(keys))
	}
	for i, k := range keys {
		want, ok := arr[k]
		if !ok {
			t.Fatalf("fixture lacks %s", k)
		}
		e := relErr(Flat(outs[i]), want.Data)
		if !(e <= tol) {
			t.Errorf("%s: relative error %.3g > %g", k, e, tol)
		}
		if e > worst {
			worst, worstKey = e, k
		}
	}
	return worst, worstKey
}

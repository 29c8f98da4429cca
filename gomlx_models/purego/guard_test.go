package purego

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// TestFastPathsEnabled fails loudly when purego's patches and fast paths are off in this
// build: a GoMLX upgrade (or a replace directive) turns them off, purego then runs plain
// simplego ops (correct, many times slower), and this test is how the upgrade gets noticed.
func TestFastPathsEnabled(t *testing.T) {
	if err := FastPathsError(); err != nil {
		t.Fatalf("purego's fast paths and GoMLX patches are DISABLED: %v", err)
	}
	for _, c := range []struct {
		t    NodeType
		want VJP
	}{{NodeTypeDotGeneral, DotGeneralVJP}, {NodeTypeDot, DotVJP}, {NodeTypeConvGeneral, ConvGeneralVJP}} {
		if reflect.ValueOf(VJPRegistration[c.t]).Pointer() != reflect.ValueOf(c.want).Pointer() {
			t.Errorf("graph.VJPRegistration[%s] is not purego's override", c.t)
		}
	}
	if got := funcName(simplegoExecutors[backends.OpTypeDotGeneral]); got != funcName(execDotGeneral) {
		t.Errorf("simplego's DotGeneral executor is %q, want purego's", got)
	}
	if got, want := funcName(simplegoDot), simplegoSymbol+"execDotGeneral"; got != want {
		t.Errorf("saved simplego DotGeneral executor is %q, want %q", got, want)
	}
}

// TestGoTestBinaryVersionSource documents which rule of checkGoMLXVersion enables the fast
// paths in test binaries: go test embeds no dependency list, so the module-cache path of
// GoMLX's compiled source decides. If a Go release starts listing dependencies, the first
// assertion fails and the comment of checkGoMLXVersion must be updated.
func TestGoTestBinaryVersionSource(t *testing.T) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("test binary has no build info")
	}
	for _, d := range info.Deps {
		if d.Path == gomlxModule {
			t.Fatalf("go test now lists %s %s in the build info: update checkGoMLXVersion's comment", d.Path, d.Version)
		}
	}
	if src := gomlxSourceFile(); !strings.Contains(src, gomlxSourceMarker) {
		t.Fatalf("GoMLX's source path %q lacks %q", src, gomlxSourceMarker)
	}
}

func TestCheckGoMLXVersion(t *testing.T) {
	dep := func(version string, replace *debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/actrepro/actrepro", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "gonum.org/v1/gonum", Version: "v0.16.0"}, {Path: gomlxModule, Version: version, Replace: replace}}}
	}
	cached := "/root/go/pkg/mod/github.com/gomlx/gomlx@v0.25.0/backends/simplego/simplego.go"
	cases := []struct {
		name     string
		info     *debug.BuildInfo
		haveInfo bool
		source   string
		wantErr  string // "" for enabled
	}{
		{"exact version", dep("v0.25.0", nil), true, "", ""},
		{"newer version", dep("v0.26.0", nil), true, cached, "GoMLX is v0.26.0"},
		{"older version", dep("v0.24.1", nil), true, cached, "GoMLX is v0.24.1"},
		{"pseudo-version", dep("v0.25.1-0.20251201000000-abcdef123456", nil), true, cached, "v0.25.1-0.2025"},
		{"replaced by same release", dep("v0.25.0", &debug.Module{Path: gomlxModule, Version: "v0.25.0"}), true, "", ""},
		{"replaced by local directory", dep("v0.25.0", &debug.Module{Path: "../gomlx"}), true, cached, "replaced by ../gomlx"},
		{"replaced by fork", dep("v0.25.0", &debug.Module{Path: "github.com/someone/gomlx", Version: "v0.25.0"}), true, cached, "replaced by github.com/someone/gomlx v0.25.0"},
		{"replaced by other release", dep("v0.25.0", &debug.Module{Path: gomlxModule, Version: "v0.26.0"}), true, cached, "replaced by github.com/gomlx/gomlx v0.26.0"},
		{"main module is gomlx", &debug.BuildInfo{Main: debug.Module{Path: gomlxModule, Version: "(devel)"}}, true, cached, "GoMLX is (devel)"},
		{"test binary, module cache path", &debug.BuildInfo{Main: debug.Module{Path: "github.com/actrepro/actrepro"}}, true, cached, ""},
		{"test binary, -trimpath", &debug.BuildInfo{}, true, "github.com/gomlx/gomlx@v0.25.0/backends/simplego/simplego.go", ""},
		{"test binary, other version path", &debug.BuildInfo{}, true, "/root/go/pkg/mod/github.com/gomlx/gomlx@v0.26.0/backends/simplego/simplego.go", "go test binaries embed no dependency versions"},
		{"test binary, replaced directory", &debug.BuildInfo{}, true, "/home/me/gomlx/backends/simplego/simplego.go", "cannot confirm GoMLX v0.25.0"},
		{"test binary, vendored", &debug.BuildInfo{}, true, "/src/app/vendor/github.com/gomlx/gomlx/backends/simplego/simplego.go", "cannot confirm"},
		{"no build info, module cache path", nil, false, cached, ""},
		{"no build info, GOPATH", nil, false, "/go/src/github.com/gomlx/gomlx/backends/simplego/simplego.go", "no build info"},
		{"test binary, one of two paths elsewhere", &debug.BuildInfo{}, true, cached + "\n/home/me/gomlx/pkg/core/graph/graph.go", "/home/me/gomlx"},
		{"test binary, both paths cached", &debug.BuildInfo{}, true, cached + "\n/root/go/pkg/mod/github.com/gomlx/gomlx@v0.25.0/pkg/core/graph/graph.go", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkGoMLXVersion(c.info, c.haveInfo, c.source)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("want enabled, got %v", err)
			case c.wantErr != "" && err == nil:
				t.Fatalf("want disabled (%q), got enabled", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Fatalf("error %q does not mention %q", err, c.wantErr)
			}
		})
	}
}

// fakeGoMLXVersion makes purego believe GoMLX is version (through the injectable build info),
// re-runs the version guard, and undoes both at the end of the test. The patches installed at
// start-up stay in place, but every fast path and override reads the guard on each use and
// falls back to simplego's executor and GoMLX's gradients. Warnings are collected, and the
// log-once state is reset before and after.
func fakeGoMLXVersion(t *testing.T, version string) *[]string {
	t.Helper()
	var warnings []string
	oldRead, oldWarn := readBuildInfo, warnf
	readBuildInfo = func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/actrepro/actrepro"},
			Deps: []*debug.Module{{Path: gomlxModule, Version: version}}}, true
	}
	warnf = func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	warnOnce = sync.Once{}
	setFastErr(versionError())
	t.Cleanup(func() {
		readBuildInfo, warnf = oldRead, oldWarn
		warnOnce = sync.Once{}
		setFastErr(installErr)
	})
	return &warnings
}

// TestFakeVersionFallsBack turns the fast paths off with a fake GoMLX version and checks that
// purego notices (FastPathsError, one warning for two backends), that the fallback really
// runs (no fast executor or native node, no im2col, no gradient override) and that results are unchanged.
func TestFakeVersionFallsBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := randomTensor(rng, dtypes.Float32, []int{2, 7, 6, 3})
	k := randomTensor(rng, dtypes.Float32, []int{3, 3, 3, 4})
	w := randomTensor(rng, dtypes.Float32, []int{5, 3, 4})
	// model: a convolution (im2col, Pad, Slice, Concatenate), a bias (BroadcastInDim, Add), a
	// max-pool (ReduceWindow; SelectAndScatterMax in the gradient), a DotGeneral with a
	// batch axis, and the gradient of all of it.
	model := func(x, k, w *Node) []*Node {
		y := Convolve(x, k).PadSame().Done()                                    // [2, 7, 6, 4]
		y = Add(y, Sin(Iota(x.Graph(), shapes.Make(y.DType(), 1, 1, 1, 4), 3))) // bias over channels
		y = MaxPool(y).Window(2).Strides(2).PadSame().Done()                    // [2, 4, 3, 4]
		z := DotGeneral(y, []int{2, 3}, nil, w, []int{1, 2}, nil)               // [2, 4, 5]
		loss := ReduceAllSum(Mul(Tanh(z), z))
		g := Gradient(loss, x, k, w)
		return append([]*Node{z}, g...)
	}
	run := func(t *testing.T) (outs []*tensors.Tensor, dots, overrides int64) {
		b := testBackend(t)
		fastCalls := func() int64 {
			return fastDotCalls.Load() + fastSliceCalls.Load() + fastConcatCalls.Load() + fastReduceWindowCalls.Load() +
				fastSelectScatterCalls.Load() + fastPadCalls.Load() + fastBroadcastCalls.Load() + fastBinaryCalls.Load() +
				fastReduceCalls.Load() + fastTransposeCalls.Load() + fastCol2ImCalls.Load() + fastIm2ColCalls.Load() +
				fastUnaryCalls.Load() + fastFusedCalls.Load()
		}
		d0, o0 := fastCalls(), overrideCalls.Load()
		outs = MustExecOnceN(b, model, x, k, w)
		for _, in := range []*tensors.Tensor{x, k, w} {
			in.ToLocal() // usable by the next backend
		}
		return outs, fastCalls() - d0, overrideCalls.Load() - o0
	}
	fast, fastDots, fastOverrides := run(t)
	if err := FastPathsError(); err != nil || fastDots == 0 || fastOverrides == 0 {
		t.Fatalf("before faking: fast paths error %v, %d fast executor calls, %d gradient overrides", err, fastDots, fastOverrides)
	}

	warnings := fakeGoMLXVersion(t, "v0.26.0")
	err := FastPathsError()
	if err == nil || !strings.Contains(err.Error(), "v0.26.0") || !strings.Contains(err.Error(), GoMLXVersion) {
		t.Fatalf("with GoMLX v0.26.0, FastPathsError() = %v, want an error naming both versions", err)
	}
	slow, slowDots, slowOverrides := run(t)
	_ = testBackend(t) // a second backend: still one warning
	if slowDots != 0 || slowOverrides != 0 {
		t.Fatalf("fallback still used purego's patches: %d fast executor calls, %d gradient overrides", slowDots, slowOverrides)
	}
	if len(*warnings) != 1 || !strings.Contains((*warnings)[0], "v0.26.0") {
		t.Fatalf("warnings %q, want exactly one naming v0.26.0", *warnings)
	}
	// float32: the same sums in other orders (im2col + packed kernel vs simplego's loops).
	for i := range fast {
		assertClose(t, slow[i], fast[i], 1e-4)
	}
}

// TestGradientOverridesScopedToPurego checks that the process-wide gradient overrides only
// act on graphs built for a purego backend: under backend "go" the DotGeneral and Dot
// gradients are GoMLX's own (the override delegates, its counter does not move), and the
// values agree with purego's.
func TestGradientOverridesScopedToPurego(t *testing.T) {
	goB, err := New("go:ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	a := randomTensor(rng, dtypes.Float64, []int{2, 3, 4})
	bm := randomTensor(rng, dtypes.Float64, []int{2, 4, 5})
	m := randomTensor(rng, dtypes.Float64, []int{3, 4})
	v := randomTensor(rng, dtypes.Float64, []int{4})
	model := func(a, b, m, v *Node) []*Node {
		l1 := ReduceAllSum(Sin(DotGeneral(a, []int{2}, []int{0}, b, []int{1}, []int{0})))
		l2 := ReduceAllSum(Sin(Dot(m, v)))
		return Gradient(Add(l1, l2), a, b, m, v)
	}
	cases := []struct {
		name      string
		backend   backends.Backend
		overrides bool
	}{
		{"go", goB, false},
		{"purego", testBackend(t), true},
	}
	var results [][]*tensors.Tensor
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := overrideCalls.Load()
			results = append(results, MustExecOnceN(c.backend, model, a, bm, m, v))
			for _, in := range []*tensors.Tensor{a, bm, m, v} {
				in.ToLocal() // usable by the next backend
			}
			if got := overrideCalls.Load() > before; got != c.overrides {
				t.Fatalf("purego's gradient override used: %v, want %v", got, c.overrides)
			}
		})
	}
	if len(results) == 2 {
		for i := range results[0] {
			assertClose(t, results[1][i], results[0][i], 1e-12)
		}
	}
	// The scope test itself, on a node of each backend's graph.
	for _, c := range cases {
		g := NewGraph(c.backend, "scope")
		n := Parameter(g, "x", a.Shape())
		if got := usePuregoVJP(n); got != c.overrides {
			t.Errorf("%s: usePuregoVJP = %v, want %v", c.name, got, c.overrides)
		}
		g.Finalize()
	}
}

// TestExecutorTableChecked: the symbol check of the linknamed table names the offending slot
// when a slot holds another function than GoMLX v0.25.0's.
func TestExecutorTableChecked(t *testing.T) {
	if err := checkExecutorTable(); err != nil {
		t.Fatalf("executor table check fails on this build: %v", err)
	}
	saved := simplegoExecutors[backends.OpTypeTanh]
	simplegoExecutors[backends.OpTypeTanh] = simplegoExecutors[backends.OpTypeAdd]
	err := checkExecutorTable()
	simplegoExecutors[backends.OpTypeTanh] = saved
	if err == nil || !strings.Contains(err.Error(), "Tanh") || !strings.Contains(err.Error(), "execAdd") {
		t.Fatalf("swapped slot not reported: %v", err)
	}
}

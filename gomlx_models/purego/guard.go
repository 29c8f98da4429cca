package purego

import (
	"errors"
	"fmt"
	"log"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// This file is the guard of every patch purego makes to GoMLX: the go:linkname write into
// simplego's executor table (matmul.go), the unexported fields read through reflection and
// unsafe (matmul.go, dotgrad.go, convgrad.go), the gradient overrides in
// graph.VJPRegistration (dotgrad.go, convgrad.go) and the fast paths built on them (the
// matrix kernel, the im2col convolution). They were written against one GoMLX release, read
// from its source, and are enabled only when the binary is built with exactly that release;
// otherwise purego runs plain simplego ops (still correct: every op purego supplies is built
// from simplego's public Builder ops), logs one warning, and TestFastPathsEnabled fails.

// GoMLXVersion is the GoMLX module version whose unexported internals purego's patches and
// fast paths were written against.
const GoMLXVersion = "v0.25.0"

// gomlxModule is GoMLX's module path.
const gomlxModule = "github.com/gomlx/gomlx"

// gomlxSourceMarker is how the module cache (or -trimpath) names GoMLX's source files at
// GoMLXVersion: ".../pkg/mod/github.com/gomlx/gomlx@v0.25.0/backends/simplego/simplego.go".
const gomlxSourceMarker = gomlxModule + "@" + GoMLXVersion + "/"

// checkGoMLXVersion decides whether the compiled GoMLX is the release purego was written
// against. Its inputs are those of debug.ReadBuildInfo and the source file paths compiled into
// GoMLX's functions, one per line (see [gomlxSourceFile]). The rules, in order:
//
//  1. Build info listing module github.com/gomlx/gomlx (normal binaries: go build, go run,
//     GoNB notebooks): its version must be GoMLXVersion. A replace directive is followed: a
//     replacement by the same module at GoMLXVersion is accepted; a replacement by a local
//     directory or another module (a fork) is refused, because its source can differ from the
//     release whatever version it claims.
//  2. Build info without GoMLX among its dependencies, or no build info at all: `go test`
//     binaries embed no dependency list (Go 1.26: Deps is empty), and binaries built without
//     module support have no build info. Then the source path compiled into GoMLX's code
//     decides: it must lie in the module cache's github.com/gomlx/gomlx@v0.25.0/ (also what
//     -trimpath records). A GOPATH, vendored or replaced-directory build has no version in
//     that path and is refused: fast paths off, never a guess.
func checkGoMLXVersion(info *debug.BuildInfo, haveInfo bool, sourceFile string) error {
	if haveInfo && info != nil {
		var m *debug.Module
		if info.Main.Path == gomlxModule {
			m = &info.Main
		}
		for _, d := range info.Deps {
			if d != nil && d.Path == gomlxModule {
				m = d
			}
		}
		if m != nil {
			if r := m.Replace; r != nil {
				if r.Path != gomlxModule || r.Version != GoMLXVersion {
					where := r.Path
					if r.Version != "" {
						where += " " + r.Version
					}
					return fmt.Errorf("GoMLX %s is replaced by %s (go.mod replace): its source may differ from the release %s that purego's patches were written for",
						m.Version, where, GoMLXVersion)
				}
				return nil
			}
			if m.Version != GoMLXVersion {
				return fmt.Errorf("GoMLX is %s, purego's patches were written for %s", m.Version, GoMLXVersion)
			}
			return nil
		}
	}
	why := "the binary has no build info"
	if haveInfo {
		why = "the build info lists no GoMLX module (go test binaries embed no dependency versions)"
	}
	for _, f := range strings.Split(sourceFile, "\n") {
		if !strings.Contains(f, gomlxSourceMarker) {
			return fmt.Errorf("%s, and GoMLX's compiled source path %q is not in the module cache's %s: cannot confirm GoMLX %s",
				why, f, gomlxSourceMarker, GoMLXVersion)
		}
	}
	return nil
}

// gomlxSourceFile returns the source files recorded in this binary for simplego.New and
// graph.DotGeneral (the two patched packages), one per line; each must pass the path rule.
func gomlxSourceFile() string {
	return funcFile(simplego.New) + "\n" + funcFile(graph.DotGeneral)
}

// funcFile returns the source file the compiler recorded for function fn.
func funcFile(fn any) string {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "(no symbol)"
	}
	file, _ := f.FileLine(f.Entry())
	return file
}

// funcName returns the symbol name of function fn ("" for nil).
func funcName(fn any) string {
	v := reflect.ValueOf(fn)
	if !v.IsValid() || v.IsNil() {
		return ""
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return ""
	}
	return f.Name()
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it (see setGoMLXBuildInfo).
var readBuildInfo = debug.ReadBuildInfo

// versionError evaluates the guard with the current readBuildInfo.
func versionError() error {
	info, ok := readBuildInfo()
	if err := checkGoMLXVersion(info, ok, gomlxSourceFile()); err != nil {
		return fmt.Errorf("purego: %w", err)
	}
	return nil
}

var (
	// installErr is why the patches were not installed at start-up (nil: installed). It is
	// set once by init (installPatches) and never changes.
	installErr error
	// fastErr is why the fast paths are off now: installErr, or a version check that tests
	// re-run with a fake version (nil: on). Every fast path and gradient override reads it on
	// each use.
	fastErr atomic.Pointer[error]

	warnOnce sync.Once
	// warnf prints the fallback warning; tests replace it to count warnings.
	warnf = log.Printf
)

// FastPathsError reports why purego's patches and fast paths are off (nil when they are on):
// the GoMLX module version is not GoMLXVersion, or an internal layout check failed. When
// non-nil, purego backends run simplego's own ops and GoMLX's own gradients.
func FastPathsError() error {
	if p := fastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// fastPathsOn reports whether the fast paths and gradient overrides may be used now.
func fastPathsOn() bool { return fastErr.Load() == nil }

func setFastErr(err error) {
	if err == nil {
		fastErr.Store(nil)
		return
	}
	fastErr.Store(&err)
}

// warnIfOff logs, once per process, why the fast paths are off. newPureGo calls it, so
// programs that never build a purego backend stay silent.
func warnIfOff() {
	if err := FastPathsError(); err != nil {
		warnOnce.Do(func() {
			warnf("WARNING: purego runs plain simplego ops and GoMLX's own gradients (slow): %v", err)
		})
	}
}

// installPatches runs once, from this package's only init: it checks the GoMLX version, then
// the layouts each patch relies on, and installs the patches only when every check passes.
// Order matters: nothing is read through linkname or unsafe before the version is confirmed.
func installPatches() {
	installErr = func() error {
		if err := versionError(); err != nil {
			return err
		}
		var errs []error
		if err := installFastMatmul(); err != nil {
			errs = append(errs, err)
		} else if err := installFusion(); err != nil {
			errs = append(errs, err)
		}
		if err := installGradients(); err != nil {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}()
	setFastErr(installErr)
}

func init() { installPatches() }

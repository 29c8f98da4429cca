package purego

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// Name is the backend name to use in --backend, a spec's backend field or $GOMLX_BACKEND.
const Name = "purego"

// EnvVar is the environment variable GoMLX (and Resolve) read the backend configuration from.
const EnvVar = backends.ConfigEnvVar // "GOMLX_BACKEND"

// init registers the backend. It changes no GoMLX default (backends.DefaultConfig keeps
// GoMLX's value): the project chooses its backend explicitly, through [Resolve] and [New]
// (internal/harness.ResolveBackend and the kernel package use them), never through
// backends.New().
func init() {
	backends.Register(Name, newPureGo)
}

// Resolve returns the backend configuration to use: explicit (a --backend flag or a spec's
// backend field) when non-empty, else $GOMLX_BACKEND when set and non-empty, else "purego".
func Resolve(explicit string) string {
	if s := strings.TrimSpace(explicit); s != "" {
		return s
	}
	if s := strings.TrimSpace(os.Getenv(EnvVar)); s != "" {
		return s
	}
	return Name
}

// New returns a backend for config (resolved with [Resolve] first), in GoMLX's
// "name:options" syntax: "purego", "purego:parallelism=2", "go", "go:ops_sequential",
// "xla:cuda"... It never panics: an unknown backend, a bad option or a missing PJRT plugin is
// returned as an error that names the fix.
func New(config string) (b backends.Backend, err error) {
	config = Resolve(config)
	name, opts, _ := strings.Cut(config, ":")
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("backend %q: %v%s", config, r, fallbackHint)
		}
	}()
	switch name {
	case Name:
		return newPureGo(opts)
	case simplego.BackendName:
		return simplego.New(opts)
	case "xla", "stablehlo":
		if err := checkPJRTPlugin(name, opts); err != nil {
			return nil, err
		}
	}
	if !slices.Contains(backends.List(), name) {
		return nil, fmt.Errorf("backend %q is not compiled into this program (available: %s)%s",
			name, strings.Join(sortedBackends(), ", "), fallbackHint)
	}
	return backends.NewWithConfig(config)
}

const fallbackHint = "; fall back to the CPU with --backend purego (or GOMLX_BACKEND=purego, the default when unset)"

func sortedBackends() []string {
	l := backends.List()
	slices.Sort(l)
	return l
}

// pjrtPluginDirs lists the directories gopjrt v0.10.0 searches for PJRT plugins:
// $PJRT_PLUGIN_LIBRARY_PATH (":"-separated) if set, else /usr/local/lib/gomlx/pjrt, the
// $LD_LIBRARY_PATH entries and the standard library directories.
func pjrtPluginDirs() []string {
	if p := os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"); p != "" {
		return filepath.SplitList(p)
	}
	dirs := []string{"/usr/local/lib/gomlx/pjrt"}
	dirs = append(dirs, filepath.SplitList(os.Getenv("LD_LIBRARY_PATH"))...)
	return append(dirs, "/usr/local/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/lib")
}

// checkPJRTPlugin returns an error naming what to install when the PJRT plugin an "xla" or
// "stablehlo" configuration asks for ("cuda" by default on the GPU path, "cpu" otherwise) is
// not found.
func checkPJRTPlugin(name, opts string) error {
	plugin := strings.ToLower(strings.TrimSpace(opts))
	if i := strings.IndexAny(plugin, ",;"); i >= 0 {
		plugin = plugin[:i]
	}
	if plugin == "" {
		plugin = "cpu"
	}
	if strings.ContainsRune(plugin, '/') { // an explicit path to the plugin .so
		if _, err := os.Stat(plugin); err != nil {
			return fmt.Errorf("backend %s:%s: PJRT plugin file %s not found%s", name, opts, plugin, fallbackHint)
		}
		return nil
	}
	file := "pjrt_c_api_" + plugin + "_plugin.so"
	dirs := pjrtPluginDirs()
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, file)); err == nil {
			return nil
		}
	}
	install := "install gopjrt v0.10.0's PJRT CPU plugin (github.com/gomlx/gopjrt, cmd/install_linux.sh) into /usr/local/lib/gomlx/pjrt"
	if plugin == "cuda" {
		install = "install an NVIDIA driver and CUDA 12 runtime, then gopjrt v0.10.0's PJRT CUDA plugin " +
			"(github.com/gomlx/gopjrt, cmd/install_linux.sh followed by cmd/install_cuda.sh) into /usr/local/lib/gomlx/pjrt, " +
			"or point PJRT_PLUGIN_LIBRARY_PATH at the directory holding " + file
	}
	return fmt.Errorf("backend %s:%s needs the PJRT plugin %s, not found in %s: %s%s",
		name, opts, file, strings.Join(dirs, ":"), install, fallbackHint)
}

package purego_test

import (
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/backends"
)

func TestResolve(t *testing.T) {
	cases := []struct {
		name, explicit, env, want string
	}{
		{"flag wins", "go", "xla:cuda", "go"},
		{"env when no flag", "", "go:ops_sequential", "go:ops_sequential"},
		{"default", "", "", purego.Name},
		{"blank flag", "  ", "", purego.Name},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(purego.EnvVar, c.env)
			if got := purego.Resolve(c.explicit); got != c.want {
				t.Errorf("Resolve(%q) with %s=%q = %q, want %q", c.explicit, purego.EnvVar, c.env, got, c.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir()) // no plugin there
	cases := []struct {
		config  string
		mention []string
	}{
		{"xla:cuda", []string{"pjrt_c_api_cuda_plugin.so", "install", "--backend purego"}},
		{"stablehlo:cuda", []string{"pjrt_c_api_cuda_plugin.so", "install", "--backend purego"}},
		{"nosuchbackend", []string{"not compiled", "purego"}},
		{"purego:ops_parallel", []string{"deadlock"}},
		{"purego:nosuchoption", []string{"nosuchoption"}},
	}
	for _, c := range cases {
		t.Run(c.config, func(t *testing.T) {
			b, err := purego.New(c.config)
			if err == nil {
				t.Fatalf("New(%q) = %v, want an error", c.config, b)
			}
			for _, m := range c.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("New(%q) error %q does not mention %q", c.config, err, m)
				}
			}
		})
	}
}

func TestDefaultBackend(t *testing.T) {
	t.Setenv(purego.EnvVar, "")
	b, err := purego.New("")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != purego.Name {
		t.Errorf("default backend is %q, want %q", b.String(), purego.Name)
	}
	// Importing purego changes no GoMLX default: "xla" is GoMLX v0.25.0's own value
	// (backends/backends.go:90). The project selects purego through Resolve/New, not there.
	if backends.DefaultConfig != "xla" {
		t.Errorf("backends.DefaultConfig = %q, want GoMLX's own %q (importing purego must not change it)", backends.DefaultConfig, "xla")
	}
}

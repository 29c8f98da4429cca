package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Environment variables that override a notebook's parameters, so CI runs
// every notebook at smoke scale and a reviewer at full scale without editing
// it (the papermill convention: the first code cell holds the parameters).
const (
	EnvScale   = "ACTREPRO_SCALE"
	EnvBackend = "ACTREPRO_BACKEND"
	EnvData    = "ACTREPRO_DATA"
	EnvSeed    = "ACTREPRO_SEED"
	EnvRoot    = "ACTREPRO_ROOT" // checkout root; set by the kernelspec's launcher
)

// Params are a notebook's parameters.
type Params struct {
	Scale    string // "smoke" (minutes on 2 cores) or "full" (the paper's protocol)
	Backend  string // GoMLX backend: "purego" (default), "go", "xla:cuda", ...
	DataRoot string // root of the real datasets; "" means synthetic twins only
	Seed     int64  // overrides every run's train.seed; 0 keeps each spec's own seed
}

// Parameters returns defaults overridden by the environment (ACTREPRO_SCALE,
// ACTREPRO_BACKEND, ACTREPRO_DATA, ACTREPRO_SEED). Empty defaults get the
// project defaults: scale "smoke", backend "purego", seed 0 (each
// spec's own train.seed). A malformed
// ACTREPRO_SEED is an error naming the variable.
func Parameters(defaults Params) (Params, error) {
	p := defaults
	if v := strings.TrimSpace(os.Getenv(EnvScale)); v != "" {
		p.Scale = v
	}
	if v := strings.TrimSpace(os.Getenv(EnvBackend)); v != "" {
		p.Backend = v
	}
	if v, ok := os.LookupEnv(EnvData); ok {
		p.DataRoot = strings.TrimSpace(v)
	}
	if v := strings.TrimSpace(os.Getenv(EnvSeed)); v != "" {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return p, fmt.Errorf("kernel: %s=%q is not an integer seed", EnvSeed, v)
		}
		p.Seed = s
	}
	if p.Scale == "" {
		p.Scale = "smoke"
	}
	if p.Backend == "" {
		p.Backend = "purego"
	}
	if p.DataRoot != "" {
		if abs, err := filepath.Abs(p.DataRoot); err == nil {
			p.DataRoot = abs
		}
	}
	return p, nil
}

// String is the one-line summary a parameters cell prints.
func (p Params) String() string {
	data := p.DataRoot
	if data == "" {
		data = "(none: synthetic twins only)"
	}
	seed := fmt.Sprint(p.Seed)
	if p.Seed == 0 {
		seed = "(each spec's own)"
	}
	return fmt.Sprintf("scale=%s backend=%s data=%s seed=%s", p.Scale, p.Backend, data, seed)
}

// Must returns v, or stops the notebook cell with err (a panic carrying the
// error, which GoNB reports as the cell's error and nbconvert as a failed
// cell).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Check stops the notebook cell with err when it is not nil (see Must).
func Check(err error) {
	if err != nil {
		panic(err)
	}
}

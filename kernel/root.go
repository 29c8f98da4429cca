package kernel

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Module is the Go module path of the checkout the kernel works in.
const Module = "github.com/actrepro/actrepro"

// Root returns the checkout's root directory: $ACTREPRO_ROOT when set (the
// kernelspec's launcher sets it), else the nearest directory at or above the
// working directory whose go.mod declares Module, else the checkout this
// package was compiled from.
func Root() (string, error) {
	if r := os.Getenv(EnvRoot); r != "" {
		if isRoot(r) {
			return filepath.Abs(r)
		}
		return "", fmt.Errorf("kernel: %s=%q is not an actrepro checkout (no go.mod declaring %s)", EnvRoot, r, Module)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if isRoot(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		if d := filepath.Dir(filepath.Dir(file)); isRoot(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("kernel: cannot find the actrepro checkout: set %s or run from inside it", EnvRoot)
}

// isRoot reports whether dir holds a go.mod declaring Module.
func isRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "module ") {
			return strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "module ")), `"`) == Module
		}
	}
	return false
}

// resolve makes a path relative to the checkout root absolute; absolute
// paths are returned as they are.
func resolve(path string) (string, error) {
	if filepath.IsAbs(path) {
		return path, nil
	}
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, path), nil
}

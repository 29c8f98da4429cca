package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

func init() {
	commands["version"] = command{summary: "print the version, commit, Go version and registered tasks", run: runVersion}
}

const versionUsage = `
Usage: actrepro version

Prints the module version and the commit it was built from (when built in a
git checkout), the Go version, the record and hash format versions, and the
registered tasks.`

func runVersion(args []string, stdout, stderr io.Writer) int {
	f := newFlags("version", versionUsage, stdout, stderr)
	pos, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "actrepro version: unexpected argument %q\n", pos[0])
		return 2
	}
	mod, commit, modified := "(devel)", "unknown", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			mod = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	fmt.Fprintf(stdout, "actrepro %s\ncommit %s%s\n%s %s/%s, %d cores\nrecord schema %d, spec hash version %s\ntasks: %s\n",
		mod, commit, modified, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(),
		results.Schema, spec.HashVersion, strings.Join(runner.Names(), ", "))
	return 0
}

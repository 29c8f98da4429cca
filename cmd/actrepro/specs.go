package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

func init() {
	commands["list"] = command{summary: "list the experiment specs and the tables they regenerate", run: runList}
	commands["validate"] = command{summary: "check experiment specs strictly (all under experiments/ by default)", run: runValidate}
}

// findSpecs returns every *.toml under dir, sorted.
func findSpecs(dir string) ([]string, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("no experiments directory %q (run from the repository root or pass --dir)", dir)
	}
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".toml") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

const listUsage = `
Usage: actrepro list [--dir experiments]

Lists every experiment spec: its id, the paper table it regenerates, the task
that runs it, its number of runs at smoke and full scale, and its file.
A spec that does not load is listed with its error (and the exit code is 2).`

func runList(args []string, stdout, stderr io.Writer) int {
	f := newFlags("list", listUsage, stdout, stderr)
	dir := f.String("dir", "experiments", "directory of experiment specs")
	pos, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "actrepro list: unexpected argument %q\n", pos[0])
		return 2
	}
	paths, err := findSpecs(*dir)
	if err != nil {
		fmt.Fprintln(stderr, "actrepro list:", err)
		return 2
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPAPER\tTABLE\tTASK\tRUNS smoke/full\tSPEC")
	bad := 0
	for _, p := range paths {
		s, err := spec.Load(p)
		if err != nil {
			bad++
			fmt.Fprintf(tw, "?\t?\t?\t?\t?\t%s\n", p)
			fmt.Fprintln(stderr, err)
			continue
		}
		counts := make([]string, 0, 2)
		for _, sc := range []string{"smoke", "full"} {
			ps, err := s.Expand(sc, "")
			if err != nil {
				counts = append(counts, "?")
				continue
			}
			counts = append(counts, fmt.Sprint(len(ps)))
		}
		task := s.Experiment.Task
		if _, err := runner.Lookup(task); err != nil {
			task += " (not registered)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Experiment.ID, s.Experiment.Paper, s.Experiment.Table, task, strings.Join(counts, "/"), p)
	}
	tw.Flush()
	if bad > 0 {
		return 2
	}
	return 0
}

const validateUsage = `
Usage: actrepro validate [--dir experiments] [SPEC...]

Checks specs strictly without running anything: TOML syntax, unknown keys,
types, required fields, sweeps, scale overrides, tables and paper rows, and
each point's [data]/[model]/[train] settings as its task reads them, at
every scale. Errors name file, line and key. Exit code 2 when any spec is
invalid.`

func runValidate(args []string, stdout, stderr io.Writer) int {
	f := newFlags("validate", validateUsage, stdout, stderr)
	dir := f.String("dir", "experiments", "directory of experiment specs (when no SPEC is given)")
	paths, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(paths) == 0 {
		var err error
		if paths, err = findSpecs(*dir); err != nil {
			fmt.Fprintln(stderr, "actrepro validate:", err)
			return 2
		}
	}
	ids := map[string]string{}
	bad := 0
	for _, p := range paths {
		s, err := spec.Load(p)
		if err != nil {
			bad++
			fmt.Fprintln(stderr, err)
			continue
		}
		if prev, dup := ids[s.Experiment.ID]; dup {
			bad++
			fmt.Fprintf(stderr, "%s:%d: experiment.id: %q is also the id of %s (ids name results directories)\n", p, s.Line("experiment.id"), s.Experiment.ID, prev)
			continue
		}
		ids[s.Experiment.ID] = p
		var counts []string
		ok := true
		for _, sc := range s.ScaleNames() {
			_, _, points, err := harness.Prepare(p, sc)
			if err != nil {
				ok = false
				for _, line := range strings.Split(err.Error(), "\n") {
					fmt.Fprintf(stderr, "%s [scale %s]\n", line, sc)
				}
				break
			}
			counts = append(counts, fmt.Sprintf("%d %s", len(points), sc))
		}
		if !ok {
			bad++
			continue
		}
		fmt.Fprintf(stdout, "ok  %s (%s runs)\n", p, strings.Join(counts, ", "))
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "actrepro validate: %d of %d specs invalid\n", bad, len(paths))
		return 2
	}
	return 0
}

// isSpecError reports whether err is a problem with the spec (bad input,
// exit code 2) rather than a failed run.
func isSpecError(err error) bool {
	var se *spec.Error
	return errors.As(err, &se)
}

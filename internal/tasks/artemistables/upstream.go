package artemistables

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/codever"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// errNotRun marks an upstream experiment whose spec, task or records are
// absent: the derived row is "not run", never invented.
var errNotRun = errors.New("not run")

// findFromRoot resolves a checkout-relative path from the working
// directory or one of its parents (notebooks run in subdirectories).
func findFromRoot(rel string) (string, error) {
	if filepath.IsAbs(rel) {
		if _, err := os.Stat(rel); err != nil {
			return "", err
		}
		return rel, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return "", fmt.Errorf("%s not found under the checkout root %s", rel, dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s not found from the working directory or its parents", rel)
		}
		dir = parent
	}
}

// upstreamRecords returns the records of the current points (current
// settings and code version, one seed) of the spec at specRel, whose
// experiment id must be experiment, at scale. A missing spec file, an
// unregistered task or no record wraps errNotRun; a spec of another id is
// a configuration error naming key.
func upstreamRecords(ctx context.Context, key, specRel, experiment, scale string) ([]results.Record, string, error) {
	path, err := findFromRoot(specRel)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errNotRun, err)
	}
	s, err := spec.Load(path)
	if err != nil {
		return nil, "", err
	}
	if s.Experiment.ID != experiment {
		return nil, "", spec.Errorf(key, "%s has experiment id %q, not %q", specRel, s.Experiment.ID, experiment)
	}
	task, err := runner.Lookup(s.Experiment.Task)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s's task %q is not registered in this build", errNotRun, specRel, s.Experiment.Task)
	}
	version, err := codever.Version(task) // as the harness hashes the upstream points
	if err != nil {
		return nil, "", err
	}
	points, err := s.Expand(scale, version)
	if err != nil {
		return nil, "", err
	}
	want := map[string]bool{}
	for _, p := range points {
		want[p.Hash] = true
	}
	dir := results.Dir(results.Root(ctx), experiment, scale)
	all, err := results.Load(dir)
	if err != nil {
		return nil, dir, fmt.Errorf("%w: no records in %s (run %s at scale %s first): %v", errNotRun, dir, specRel, scale, err)
	}
	var recs []results.Record
	for _, r := range all {
		if want[r.Hash] {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return nil, dir, fmt.Errorf("%w: %s has no record of the current %s points (run %s at scale %s first)", errNotRun, dir, experiment, specRel, scale)
	}
	return recs, dir, nil
}

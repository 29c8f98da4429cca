package results

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/codever"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// ErrNoUpstream is wrapped by the errors of UpstreamRecords and
// UpstreamOf when an upstream experiment has not run here: its spec file is
// absent, its task is not registered in this build, or its results
// directory holds no record of its current points at the scale. A derived
// row is then "not run", never invented.
var ErrNoUpstream = errors.New("not run")

// FindFromRoot resolves a checkout-relative path from the working
// directory or one of its parents, up to the checkout root (the folder
// holding go.mod): specs name their upstream specs relative to the root,
// and tests and notebooks run from subfolders. An absolute path must exist.
func FindFromRoot(rel string) (string, error) {
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

// UpstreamQuery names the records a derived task reads: those of the
// current points (current settings and code version) of another spec at
// one scale.
type UpstreamQuery struct {
	// Spec is the upstream spec's path, relative to the checkout root
	// (see FindFromRoot) or absolute.
	Spec string
	// Experiment is the upstream spec's experiment id; a spec of another
	// id is an error naming IDKey.
	Experiment string
	Scale      string
	// Seeds, when set, expands every upstream point at that many seeds
	// (spec.ExpandSeeds, as `actrepro run --seeds` does); nil reads the
	// points at their own seed only (spec.Expand).
	Seeds *spec.Seeds
	// SpecKey and IDKey are the derived spec's keys that named Spec and
	// Experiment, named in configuration errors (default "data.runs" and
	// "data.from").
	SpecKey, IDKey string
	// AllowEmpty returns no records, rather than an error, when the
	// results directory exists but holds no record of a current point.
	AllowEmpty bool
}

// Upstream is what UpstreamRecords read.
type Upstream struct {
	Spec    *spec.Spec // the upstream spec
	Dir     string     // its records' directory: Dir(Root(ctx), Experiment, Scale)
	Records []Record   // the records of its current points, sorted by label then hash
	Points  int        // how many current points it has (len(Records) of them have a record)
}

// UpstreamRecords reads the records of the current points of the spec
// q.Spec at q.Scale from the results root of ctx (results.Root), the one
// reader every derived task uses. The points are hashed as the harness
// hashes them: with the code version of the upstream spec's registered
// task. A missing spec file, an unregistered task, a missing results
// directory or (without AllowEmpty) no current record wrap ErrNoUpstream
// and name the experiment and scale; a spec of another id is a
// configuration error naming q.IDKey.
func UpstreamRecords(ctx context.Context, q UpstreamQuery) (Upstream, error) {
	specKey, idKey := q.SpecKey, q.IDKey
	if specKey == "" {
		specKey = "data.runs"
	}
	if idKey == "" {
		idKey = "data.from"
	}
	var up Upstream
	path, err := FindFromRoot(q.Spec)
	if err != nil {
		return up, fmt.Errorf("%w: %w", ErrNoUpstream, spec.Errorf(specKey, "%v", err))
	}
	s, err := spec.Load(path)
	if err != nil {
		return up, err
	}
	up.Spec = s
	if s.Experiment.ID != q.Experiment {
		return up, spec.Errorf(idKey, "%s has experiment id %q, not %q", q.Spec, s.Experiment.ID, q.Experiment)
	}
	points, err := currentPoints(s, q.Scale, q.Seeds)
	if err != nil {
		return up, err
	}
	up.Points = len(points)
	want := map[string]bool{}
	for _, p := range points {
		want[p.Hash] = true
	}
	up.Dir = Dir(Root(ctx), q.Experiment, q.Scale)
	all, err := Load(up.Dir)
	if err != nil {
		return up, fmt.Errorf("%w: no records of experiment %s at scale %s in %s (run %s at scale %s first): %v", ErrNoUpstream, q.Experiment, q.Scale, up.Dir, q.Spec, q.Scale, err)
	}
	for _, r := range all {
		if want[r.Hash] {
			up.Records = append(up.Records, r)
			delete(want, r.Hash) // once, should a record be copied into a subfolder
		}
	}
	if len(up.Records) == 0 && !q.AllowEmpty {
		return up, fmt.Errorf("%w: %s has no record of the current points of experiment %s at scale %s (run %s at scale %s first)", ErrNoUpstream, up.Dir, q.Experiment, q.Scale, q.Spec, q.Scale)
	}
	return up, nil
}

// currentPoints expands s at scale as the harness does (the code version
// of its registered task), at seeds when set.
func currentPoints(s *spec.Spec, scale string, seeds *spec.Seeds) ([]runner.Point, error) {
	task, err := runner.Lookup(s.Experiment.Task)
	if err != nil {
		return nil, fmt.Errorf("%w: %s's task %q is not registered in this build", ErrNoUpstream, s.Path, s.Experiment.Task)
	}
	version, err := codever.Version(task) // as the harness hashes the upstream points
	if err != nil {
		return nil, err
	}
	if seeds != nil {
		return s.ExpandSeeds(scale, version, seeds)
	}
	return s.Expand(scale, version)
}

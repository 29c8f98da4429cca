package harness

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// currentPoints expands s at scale as Run does (the code version of its
// registered task).
func currentPoints(s *spec.Spec, scale string) ([]runner.Point, error) {
	task, err := runner.Lookup(s.Experiment.Task)
	if err != nil {
		return nil, fmt.Errorf("%w: %s's task %q is not registered in this build", results.ErrNoUpstream, s.Path, s.Experiment.Task)
	}
	version, err := CodeVersion(task)
	if err != nil {
		return nil, err
	}
	return s.Expand(scale, version)
}

// UpstreamState is what a derived spec's points ([experiment] depends)
// were, or would be, computed from at one scale: the current records of
// every experiment it depends on.
type UpstreamState struct {
	// Digest is the SHA-256 (first 16 hex digits) of, for each upstream
	// experiment in id order and each of its current records in hash
	// order, the record's hash, code version, spec hash and the SHA-256 of
	// its content. Any new, re-run (also with --force) or removed upstream
	// record changes it. Only records count: files beside them (e.g. the
	// member logits .npz ARTEMIS Table 4 reads) do not.
	Digest string
	// Records are the upstream records, "<experiment>/<hash>", in digest
	// order.
	Records []string
}

// PartialUpstream is implemented by derived tasks that render a row "not
// run" (rather than fail) when an upstream experiment has no records, e.g.
// ARTEMIS Table 5. For their specs an upstream experiment without records
// is no error: it enters the digest as absent, so the derived points run
// again by themselves once it has records.
type PartialUpstream interface {
	PartialUpstream() bool
}

// UpstreamOf computes the UpstreamState of the derived spec s (run by
// task) at scale from the records under root (the --out directory): nil
// for a spec without [experiment] depends. Each upstream experiment's spec
// is found by id in s's directory, else under its parent directory (as
// `actrepro reproduce` finds it); its current records are those of its
// current points at every seed measured (Current), a superset of what any
// derived task reads. An upstream experiment with no current record at
// scale is an error wrapping results.ErrNoUpstream that names it and the scale,
// unless task is a PartialUpstream.
func UpstreamOf(s *spec.Spec, task runner.Task, root, scale string) (*UpstreamState, error) {
	if len(s.Experiment.Depends) == 0 {
		return nil, nil
	}
	partial := false
	if pu, ok := task.(PartialUpstream); ok {
		partial = pu.PartialUpstream()
	}
	if root == "" {
		root = "results"
	}
	deps := append([]string(nil), s.Experiment.Depends...)
	sort.Strings(deps)
	h := sha256.New()
	st := &UpstreamState{}
	for _, id := range deps {
		us, err := findSpecByID(filepath.Dir(s.Path), id)
		if err != nil {
			return nil, fmt.Errorf("%s: experiment.depends: %w", s.Path, err)
		}
		points, err := currentPoints(us, scale)
		if err != nil {
			return nil, fmt.Errorf("%s: upstream experiment %s at scale %s: %w", s.Path, id, scale, err)
		}
		dir := results.Dir(root, id, scale)
		all, err := results.Load(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		cur, _ := Current(us, scale, points, all)
		if len(cur) == 0 && partial {
			fmt.Fprintf(h, "%s\t%s\tabsent\n", id, scale)
			continue
		}
		if len(cur) == 0 {
			return nil, fmt.Errorf("%s depends on experiment %s, which has no record of its current points at scale %s in %s (run %s at scale %s first; `actrepro reproduce` orders them) (%w)", s.Path, id, scale, dir, us.Path, scale, results.ErrNoUpstream)
		}
		sort.Slice(cur, func(i, j int) bool { return cur[i].Hash < cur[j].Hash })
		for _, r := range cur {
			b, err := json.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("%s: record %s: %w", dir, r.Hash, err)
			}
			c := sha256.Sum256(b)
			fmt.Fprintf(h, "%s\t%s\t%s\t%s\t%s\t%x\n", id, scale, r.Hash, r.CodeVersion, r.SpecSHA256, c)
			st.Records = append(st.Records, id+"/"+r.Hash)
		}
	}
	st.Digest = hex.EncodeToString(h.Sum(nil))[:16]
	return st, nil
}

// findSpecByID finds the spec of experiment id under dir, else under
// dir's parent.
func findSpecByID(dir, id string) (*spec.Spec, error) {
	for _, d := range []string{dir, filepath.Dir(dir)} {
		var found *spec.Spec
		_ = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || found != nil {
				return nil
			}
			if e.IsDir() || !strings.HasSuffix(p, ".toml") {
				return nil
			}
			if s, err := spec.Load(p); err == nil && s.Experiment.ID == id {
				found = s
				return filepath.SkipAll
			}
			return nil
		})
		if found != nil {
			return found, nil
		}
	}
	return nil, fmt.Errorf("no spec of experiment %q under %s or its parent directory", id, dir)
}

// Stale says why r, a cached record of a point of a derived spec, must not
// be served for up (the UpstreamState now, upErr its error): "" when it may.
// A spec without depends (up and upErr nil) never makes a record stale.
func Stale(r *results.Record, up *UpstreamState, upErr error) string {
	switch {
	case upErr != nil:
		return upErr.Error()
	case up == nil:
		return ""
	case r.Upstream == "":
		return "its record does not say which upstream records it was computed from"
	case r.Upstream != up.Digest:
		return fmt.Sprintf("its upstream records changed (upstream digest %s, now %s)", r.Upstream, up.Digest)
	}
	return ""
}

// Servable returns a function that reports whether the record of the point
// with hash in the results of s at scale under root may be served from
// cache as Run would serve it: it exists, reads, and (for a derived spec)
// was computed from the current upstream records. Executors use it to tell
// the points still to run.
func Servable(s *spec.Spec, task runner.Task, root, scale string) func(hash string) bool {
	up, upErr := UpstreamOf(s, task, root, scale)
	dir := results.Dir(root, s.Experiment.ID, scale)
	return func(hash string) bool {
		if !results.Exists(dir, hash) {
			return false
		}
		if up == nil && upErr == nil {
			return true // not derived: as before, existing is enough
		}
		r, err := results.Read(results.Path(dir, hash))
		return err == nil && Stale(r, up, upErr) == ""
	}
}

// StaleNote says, in a sentence for a table's notes, how many of recs (records
// of the derived spec s at scale under root) were computed from upstream
// records other than the current ones: "" when none is, or s has no depends.
// Tables rendered without running (actrepro table, kernel.Load, a render-only
// run) show such records and carry this note.
func StaleNote(s *spec.Spec, task runner.Task, root, scale string, recs []results.Record) string {
	up, upErr := UpstreamOf(s, task, root, scale)
	if up == nil && upErr == nil {
		return ""
	}
	n := 0
	for i := range recs {
		if Stale(&recs[i], up, upErr) != "" {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	why := "the upstream records (" + strings.Join(s.Experiment.Depends, ", ") + ") have changed since"
	if upErr != nil {
		why = "the upstream records are missing here (" + upErr.Error() + ")"
	}
	return fmt.Sprintf("%d derived record(s) shown were computed from other upstream records: %s; run the spec to update them.", n, why)
}

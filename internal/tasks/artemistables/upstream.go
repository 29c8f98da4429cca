package artemistables

import (
	"context"

	"github.com/actrepro/actrepro/internal/results"
)

// errNotRun marks an upstream experiment whose spec, task or records are
// absent: the derived row is "not run", never invented.
var errNotRun = results.ErrNoUpstream

// upstreamRecords returns the records of the current points (current
// settings and code version, one seed) of the spec at specRel, whose
// experiment id must be experiment, at scale (results.UpstreamRecords). A
// missing spec file, an unregistered task or no record wraps errNotRun; a
// spec of another id is a configuration error naming key.
func upstreamRecords(ctx context.Context, key, specRel, experiment, scale string) ([]results.Record, string, error) {
	up, err := results.UpstreamRecords(ctx, results.UpstreamQuery{Spec: specRel, Experiment: experiment, Scale: scale, SpecKey: key, IDKey: key})
	return up.Records, up.Dir, err
}

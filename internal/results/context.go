package results

import "context"

type rootKey struct{}

// WithRoot returns a context that carries the results root (the --out
// directory) of the run in progress. The harness sets it for every task
// it runs, so that a task computing a derived table (e.g. paired tests
// over another experiment's runs) can read those records with
// Load(Dir(Root(ctx), "other-experiment", scale)).
func WithRoot(ctx context.Context, root string) context.Context {
	return context.WithValue(ctx, rootKey{}, root)
}

// Root is the results root carried by ctx, or "results" when none is.
func Root(ctx context.Context) string {
	if r, ok := ctx.Value(rootKey{}).(string); ok && r != "" {
		return r
	}
	return "results"
}

// Package runner is the contract between the harness and the paper tasks:
// a task turns one resolved point of an experiment spec into measured
// metrics, and registers itself here under the name used by specs'
// [model] name (or [experiment] task) field.
//
// Dependencies point down: the harness (spec expansion, results store,
// CLI, kernel) calls Lookup; tasks import models, data and metrics, never
// the other way round.
package runner

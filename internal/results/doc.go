// Package results is the results store: one JSON record per run (one point
// of an experiment's sweep at one scale), written atomically to
// <out>/<experiment-id>/<scale>/<hash>.json, with the provenance a reader
// needs to trust or question a number (spec and config hash, resolved
// config, data source and fingerprint, backend, seed, commit, times,
// metrics, per-epoch curves, parameter count, Go version, cores).
//
// A record's file name is its point's hash, so a finished run is never
// written twice; a run killed before its record is renamed into place
// leaves at most a hidden temporary file, which Load ignores and CleanTemp
// removes.
//
// A derived task (a table computed from another experiment's runs) reads
// those records through UpstreamRecords: the records of the other spec's
// current points at a scale, found in the results root the harness puts in
// the task's context (WithRoot).
package results

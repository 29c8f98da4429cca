// Package harness runs an experiment spec: it expands the spec's sweep at
// a scale, validates every point with its task before running any, skips
// points whose record already exists (the cache, which is also how an
// interrupted sweep resumes), runs the others through the registered
// runner.Task, writes one record per point with its provenance, and
// renders the spec's tables next to the records. With several seeds
// (Options.Seeds, the spec's [seeds]) each seed is its own point, and the
// tables show every seed measured for the current points.
//
// A derived spec ([experiment] depends) is cached like any other, and
// also only while the upstream records it was computed from are current:
// each of its records stores a digest of those records (UpstreamOf), and a
// record whose digest is no longer the upstream's is run again (Stale).
//
// Failures of single points do not stop the sweep: the other points run,
// and Run returns an error naming every failed point.
//
// Options.Point runs one point of the sweep (by index or hash), as each
// task of a cluster job array does (package executor); Options.RenderOnly
// renders the tables without training. Every point is run under its own
// lock file (package pointlock), so two processes, on one machine or on
// the nodes of a cluster sharing the results directory, never both train
// the same point; the second reports it busy.
package harness

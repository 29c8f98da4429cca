// Package spec loads experiment specs: one TOML file per paper table that
// says which task runs, on which data, with which model and training
// settings, at which scale, over which sweep of settings, and which numbers
// the paper reports for each row of the table.
//
// Decoding is strict: an unknown key, a value of the wrong type, a missing
// required field or an empty sweep is an error that names the file, the
// line and the dotted key. Tasks decode their own [data], [model] and
// [train] sections with DecodeStrict, whose KeyError the harness maps back
// to the line of the spec the value came from (base section, scale
// override, sweep axis or include entry).
//
// Expand turns a spec and a scale into runner.Points, each carrying a
// stable Hash of its resolved configuration: the cache key of its result
// record. ExpandSeeds also runs every point at several seeds (the [seeds]
// section, or the CLI's --seeds), each seed its own point and hash. The
// format is documented for users in experiments/README.md.
package spec

// Package actrepro holds the module's own source text, embedded, so that
// internal/codever can fingerprint the code behind every result record
// (a changed task, model, trainer or reader never reuses an old record).
// It has no other job and nothing else should import it.
package actrepro

import "embed"

// Sources holds go.mod and the Go and assembly sources of every package a
// task can import (the module root, internal/..., gomlx_models/...,
// plots/). internal/codever's tests fail when a package a task imports is
// not covered by these patterns (e.g. a new deeper directory).
//
//go:embed go.mod *.go internal/*/*.go internal/*/*/*.go gomlx_models/*/*.go gomlx_models/*/*/*.go gomlx_models/*/*/*.s plots/*.go
var Sources embed.FS

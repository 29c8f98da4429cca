package purego

import "github.com/gomlx/gomlx/pkg/core/graph"

// OriginalDotGeneralVJP returns GoMLX's own DotGeneral gradient, for the external tests (a
// function: package variables are initialised before init saves it).
func OriginalDotGeneralVJP() graph.VJP { return originalDotGeneralVJP }

// FastDotCalls returns how many DotGenerals purego's own kernel has run.
func FastDotCalls() int64 { return fastDotCalls.Load() }

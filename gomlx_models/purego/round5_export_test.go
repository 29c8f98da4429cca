package purego

// SetRound5 turns the round-5 fast paths (issue 12, helper head32) on or off together: AVX2
// elementwise loops, in-place strided DotGeneral operands, four-chain reductions, blocked
// transposes and (for graphs compiled after the call) DotGenerals written transposed (for BenchmarkHeadRound5Interleaved; all are bit-identical either way).
func SetRound5(on bool) {
	simdElementwise = on && simdAvailable
	dotStridedBatch = on
	reduceChains4 = on
	// (the AVX2 column sums of fastreduce.go follow simdElementwise)
	transposeTiles = on
	dotOutLayout = on // at compile time
}

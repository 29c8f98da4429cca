package purego

// FastElementwiseCalls returns how many binary and unary ops purego's elementwise executors
// (elementwise.go) and fused nodes (fuse.go) have run, for the external tests.
func FastElementwiseCalls() int64 {
	return fastBinaryCalls.Load() + fastUnaryCalls.Load() + fastFusedCalls.Load()
}

// FusedCalls returns how many fused nodes have run.
func FusedCalls() int64 { return fastFusedCalls.Load() }

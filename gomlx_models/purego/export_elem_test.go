package purego

// FastElementwiseCalls returns how many binary and unary ops purego's elementwise executors
// (elementwise.go) have run, for the external tests.
func FastElementwiseCalls() int64 { return fastBinaryCalls.Load() + fastUnaryCalls.Load() }

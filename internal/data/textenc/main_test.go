package textenc

import (
	"os"
	"testing"
)

// TestMain keeps the unit tests' tiny encoders out of the user's disk cache
// (TestDiskCache points it at a temporary directory itself).
func TestMain(m *testing.M) {
	os.Setenv(EnvCacheDir, "off")
	os.Exit(m.Run())
}

package executor

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"
)

func sha16(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])[:16]
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

// A backend that can't be had stops the run before any point, with one
// error naming what is missing and how to fall back (never a panic, never
// one error per point).
func TestRunMissingBackendPlugin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", "../../experiments/demo/quickstart.toml", "--quiet",
		"--backend", "xla:nosuchplugin", "--out", t.TempDir()}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr.String())
	}
	msg := stderr.String()
	if n := strings.Count(msg, "pjrt_c_api_nosuchplugin_plugin.so"); n != 1 {
		t.Errorf("the missing plugin is named %d times, want once:\n%s", n, msg)
	}
	if !strings.Contains(msg, "--backend purego") {
		t.Errorf("no fall-back hint:\n%s", msg)
	}
}

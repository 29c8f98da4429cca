package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataAndSynthCommands(t *testing.T) {
	twin, empty := t.TempDir(), t.TempDir()
	t.Setenv("ACTREPRO_DATA", "")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{"synth list", []string{"synth", "--list"}, 0, "thumos14", ""},
		{"synth unknown", []string{"synth", "nope", "--out", twin}, 2, "", `no synthetic dataset "nope"`},
		{"synth no out", []string{"synth", "baboonland"}, 2, "", "--out DIR is required"},
		{"synth bad scale", []string{"synth", "baboonland", "--out", twin, "--scale", "huge"}, 2, "", `scale "huge"`},
		{"synth baboonland", []string{"synth", "baboonland", "--out", twin, "--seed", "2"}, 0, "baboonland twin: 300 train / 100 val clips", ""},
		{"synth thumos14", []string{"synth", "thumos14", "--out", twin}, 0, "thumos14 twin", ""},
		{"data no root", []string{"data", "check"}, 2, "", "no data root"},
		{"data missing root", []string{"data", "check", "--data-root", filepath.Join(twin, "nope")}, 2, "", "no such file"},
		{"data no subcommand", []string{"data"}, 2, "", `want the subcommand "check"`},
		{"data help", []string{"data", "--help"}, 0, "Usage: actrepro data check", ""},
		// the twin root holds two datasets: the others are absent, not errors
		{"data check twin", []string{"data", "check", "--data-root", twin}, 0, `"dataset": "thumos14"`, "animalkingdom  absent: no animalkingdom/ folder"},
		{"data check twin sums", []string{"data", "check", "--data-root", twin}, 0, `"verified"`, "SHA256SUMS"},
		{"data check one present", []string{"data", "check", "--data-root", twin, "--dataset", "baboonland"}, 0, `"status": "ok"`, "baboonland     ok: 3 file(s) read (SYNTHETIC twin)"},
		{"data check required absent", []string{"data", "check", "--data-root", twin, "--dataset", "thumos14,ucf101"}, 1, `"dataset": "ucf101"`, "ABSENT ucf101/"},
		{"data check unknown dataset", []string{"data", "check", "--data-root", twin, "--dataset", "kinetics"}, 2, "", `unknown dataset "kinetics"`},
		{"data check empty root", []string{"data", "check", "--data-root", empty}, 2, "", "holds none of the datasets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code || !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errb.String())
			}
		})
	}
	var out, errb bytes.Buffer
	run([]string{"data", "check", "--data-root", twin}, &out, &errb)
	var rep struct {
		Datasets []struct {
			Dataset string
			Files   []struct {
				File, Status string
				Counts       map[string]int
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("data check output is not JSON: %v", err)
	}
	for _, d := range rep.Datasets {
		for _, f := range d.Files {
			if f.File == "baboonland/train.csv" && (f.Status != "ok" || f.Counts["clips"] != 300) {
				t.Errorf("twin train.csv: %+v", f)
			}
		}
	}
	// A truncated twin file: exit 1, and the file is named.
	p := filepath.Join(twin, "thumos14", "thumos14.json")
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"data", "check", "--data-root", twin}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "thumos14/thumos14.json") || !strings.Contains(errb.String(), "thumos14       BROKEN") {
		t.Errorf("truncated thumos14.json: exit %d, stderr:\n%s", code, errb.String())
	}
}

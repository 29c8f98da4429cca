package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/actrepro/actrepro/internal/data"
)

func init() {
	commands["data"] = command{summary: "check the real data files under a data root (data check)", run: runData}
}

const dataUsage = `
Usage: actrepro data check [--data-root DIR]

Reads every known annotation file under the data root (Animal Kingdom,
BaboonLand, THUMOS14, ActivityNet, UCF101, UCF50) with its reader and prints,
as JSON, the files found, their fingerprints and their counts. Each missing
or malformed file is also reported on one line of stderr, and the exit code
is then 1 (2 for bad usage or no data root).`

func runData(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("data", dataUsage, stdout, stderr)
	root := fs.String("data-root", "", "root of the real data files (default $"+data.EnvDataRoot+")")
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || pos[0] != "check" {
		fmt.Fprintln(stderr, "actrepro data: want the subcommand \"check\"")
		fs.Usage()
		return 2
	}
	r := data.DataRoot(*root)
	if r == "" {
		fmt.Fprintf(stderr, "actrepro data check: no data root: pass --data-root DIR or set $%s (see README, section Data)\n", data.EnvDataRoot)
		return 2
	}
	rep, err := data.Check(r)
	if err != nil {
		fmt.Fprintf(stderr, "actrepro data check: %v\n", err)
		return 2
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "actrepro data check: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(b))
	for _, p := range rep.Problems {
		fmt.Fprintln(stderr, "actrepro data check:", p)
	}
	if len(rep.Problems) > 0 {
		return 1
	}
	return 0
}

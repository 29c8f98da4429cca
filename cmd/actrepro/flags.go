package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlags makes a FlagSet for a subcommand; usage is the synopsis and
// description printed by --help (on stdout) and on a usage error (stderr).
func newFlags(name, usage string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, strings.TrimSpace(usage))
		var has bool
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	_ = stdout
	return fs
}

// parseArgs parses flags that may come before, between or after the
// positional arguments ("run SPEC --scale full"). It returns the
// positional arguments, and an exit code >= 0 when the caller should
// return at once (0 after --help, 2 after a bad flag).
func parseArgs(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return nil, 0
			}
			return nil, 2 // the flag package printed the error and usage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, -1
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), -1
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

#!/usr/bin/env bash
# Runs every Fuzz target of the module for a few seconds each. A target that finds a failing
# input fails the run and prints it (go test writes it under the package's testdata/fuzz/). An
# error of the fuzzing engine itself that records no input (a worker killed or timed out on a
# loaded machine) is printed and the target retried once.
set -euo pipefail
FUZZTIME=${FUZZTIME:-5s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for t in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $t ($FUZZTIME)"
    if go test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1; then
      continue
    fi
    if grep -q "Failing input written to" "$log"; then
      cat "$log"
      exit 1
    fi
    echo "  fuzzing engine error, no failing input recorded; retrying once. Its output:"
    tail -n 20 "$log" | sed 's/^/  | /'
    if ! go test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1; then
      cat "$log"
      exit 1
    fi
  done
done

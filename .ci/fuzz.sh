#!/usr/bin/env bash
# Runs every Fuzz target of the module for a few seconds each.
set -euo pipefail
FUZZTIME=${FUZZTIME:-5s}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for t in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $t ($FUZZTIME)"
    go test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" "$pkg" >/dev/null
  done
done

#!/usr/bin/env bash
# Runs every gradient check (finite differences, gradcheck) and every determinism test RUNS
# times (default 30), COPIES (default 4) test binaries at once, and prints "N runs, M failures"
# with the output of each failing run. No retries: a failure is a failure. Exits 1 on any
# failure. The test binaries are built once with `go test -c`.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
COPIES=${COPIES:-4}
GO=${GO:-go}

# package directory | -test.run pattern
targets=(
  "gomlx_models/purego|^(TestNumericGradients|TestDotGeneralVJPEqualsGoMLX|TestTrainingStepBitIdentical|TestConvLSTMStepBitIdentical|TestLRCNStepBitIdentical|TestFusedEqualsUnfused|TestCol2ImWorkerIndependent|TestDotOutLayoutBitIdentical|TestDotStridedBatchBitIdentical|TestFastReduceBitIdentical|TestFastTransposeBitIdentical|TestSelectScatterTiled|TestWhereEqualsSimplego|TestParallelRows)\$"
  "gomlx_models/purego/gemm|^(TestBitIdenticalAcrossWorkers|TestBatchBitIdenticalAcrossWorkers|TestRowGroups|TestColGroups|TestTransposedADirectBits)\$"
  "gomlx_models/purego/gradcheck|^(ExampleRun|TestKinks|TestSeed)\$"
  "gomlx_models/layers|^TestGradients\$"
  "gomlx_models/convlstm|^TestGradientsMatchFiniteDifferences\$"
  "gomlx_models/lrcn|^(TestGradientsMatchFiniteDifferences|TestKinksOfSeeds)\$"
  "gomlx_models/gaf|^TestGradients\$"
  "gomlx_models/animalclip|^TestGradients\$"
  "gomlx_models/animalmotionclip|^TestGradients\$"
  "gomlx_models/afsd|^TestGradients\$"
  "gomlx_models/gafdet|^TestGradients\$"
)

# Every package whose tests call gradcheck.Run must be listed above.
for dir in $(grep -rl --include='*_test.go' 'gradcheck\.Run(' gomlx_models internal cmd 2>/dev/null | xargs -r -n1 dirname | sort -u); do
  listed=0
  for t in "${targets[@]}"; do
    [[ ${t%%|*} == "$dir" ]] && listed=1
  done
  if ((listed == 0)); then
    echo "stress: $dir has gradient checks but is not listed in .ci/stress.sh" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
  dir=${t%%|*}
  echo "build $dir"
  $GO test -c -o "$work/$(echo "$dir" | tr / _).test" "./$dir"
done

# One line per run: index, package directory, pattern.
i=0
for ((r = 1; r <= RUNS; r++)); do
  for t in "${targets[@]}"; do
    i=$((i + 1))
    printf '%d\t%s\t%s\n' "$i" "${t%%|*}" "${t#*|}"
  done
done >"$work/jobs"

run_one() {
  local idx=$1 dir=$2 pattern=$3 work=$4
  local bin
  bin="$work/$(echo "$dir" | tr / _).test"
  # -test.v so that a pattern matching no test shows up ("no tests to run" fails the run).
  if (cd "$dir" && "$bin" -test.run "$pattern" -test.count=1 -test.timeout 10m -test.v) >"$work/out.$idx" 2>&1 &&
    ! grep -q 'no tests to run' "$work/out.$idx"; then
    echo "ok" >"$work/rc.$idx"
  else
    echo "FAIL" >"$work/rc.$idx"
  fi
}
export -f run_one

echo "running: $(wc -l <"$work/jobs") runs, $COPIES at once (load average $(cut -d' ' -f1-3 /proc/loadavg))"
start=$(date +%s)
# Fields hold no blanks or quotes, so xargs can split them.
xargs -P "$COPIES" -n 3 bash -c 'run_one "$1" "$2" "$3" "$0"' "$work" <"$work/jobs"

runs=0
failures=0
while IFS=$'\t' read -r idx dir pattern; do
  runs=$((runs + 1))
  if [[ $(cat "$work/rc.$idx" 2>/dev/null) != ok ]]; then
    failures=$((failures + 1))
    echo "--- FAIL run $idx: $dir -run '$pattern'"
    tail -n 40 "$work/out.$idx" | sed 's/^/  | /'
  fi
done <"$work/jobs"
for t in "${targets[@]}"; do
  echo "  ${t%%|*} ${t#*|}: $RUNS runs"
done
echo "top-level tests and examples passed over all runs: $(cat "$work"/out.* | grep -c '^--- PASS' || true)"
echo "$runs runs, $failures failures ($COPIES at once, $(($(date +%s) - start)) s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
((failures == 0))

#!/usr/bin/env bash
# Runs the libFuzzer harnesses of a build configured with -DADCP_FUZZ=ON (scripts/test.sh does it in CI).
#   fuzz/run.sh <build-dir> ci                  every harness for its fixed number of runs below, seed 1: the
#                                               same inputs every time; fails on any crash, sanitizer report,
#                                               timeout or out-of-memory
#   fuzz/run.sh <build-dir> long <seconds> [harness...]
#                                               each harness for <seconds>, keeping its corpus in
#                                               <build-dir>/fuzz-long/<harness> between runs
# Findings are written to <build-dir>/fuzz-artifacts/. Ends with one line per harness: runs, coverage, corpus.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?build directory}" && pwd)
mode=${2:?ci or long}

# The CI budget: runs per harness, sized from the CPU time per input measured under ASan+UBSan (docs/fuzzing.md)
# so that all of them together take about 5 minutes of one core. The dispatcher opens a fresh seller per input.
declare -A ci_runs=(
    [fuzz_rfc3339]=1000000
    [fuzz_json_write]=150000
    [fuzz_sse_parser]=100000
    [fuzz_mcp_answer]=60000
    [fuzz_a2a_answer]=60000
    [fuzz_webhook_signature]=200000
    [fuzz_schema_validation]=30000
    [fuzz_dispatcher]=4000
    [fuzz_mcp_http]=3000
    [fuzz_a2a_http]=3000
    [fuzz_request_signature]=200000
    [fuzz_workspace_state]=20000
    [fuzz_runner_output]=20000
    [fuzz_signing_keys]=5000
)
harnesses=(fuzz_rfc3339 fuzz_json_write fuzz_sse_parser fuzz_mcp_answer fuzz_a2a_answer fuzz_webhook_signature
    fuzz_schema_validation fuzz_dispatcher fuzz_mcp_http fuzz_a2a_http fuzz_request_signature fuzz_workspace_state fuzz_runner_output
    fuzz_signing_keys)
if [[ "$mode" == long ]]; then
    seconds=${3:?seconds per harness}
    (($# > 3)) && harnesses=("${@:4}")
fi

# Leak checking stays off as in the sanitizer suite: Qt keeps process-lifetime allocations.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES='*.debug=false;*.warning=false'
mkdir -p "$build/fuzz-artifacts"
failed=0
for h in "${harnesses[@]}"; do
    inputs=("$root/fuzz/corpus/$h")
    [[ -d "$root/fuzz/regressions/$h" ]] && inputs+=("$root/fuzz/regressions/$h")
    if [[ "$mode" == ci ]]; then
        work="$build/fuzz-work/$h"
        rm -rf "$work"
        options=(-runs="${ci_runs[$h]}" -seed=1)
    else
        work="$build/fuzz-long/$h"
        options=(-max_total_time="$seconds")
    fi
    mkdir -p "$work"
    log="$build/fuzz-artifacts/$h.log"
    start=$SECONDS
    "$build/fuzz/$h" "${options[@]}" -timeout=30 -rss_limit_mb=3072 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-artifacts/$h-" "$work" "${inputs[@]}" > "$log" 2>&1
    rc=$?
    runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "$work" -type f | wc -l)
    if ((rc == 0)); then
        echo "$h: ${runs:-?} runs in $((SECONDS - start)) s, coverage ${cov:-?} edges, corpus $corpus new inputs: OK"
    else
        echo "$h: FAILED (exit $rc) after $((SECONDS - start)) s; log $log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|ALARM|Test unit written)' "$log" | head -8
        failed=$((failed + 1))
    fi
done
((failed == 0))

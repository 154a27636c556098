#!/usr/bin/env bash
# Command 2: installs what is missing, builds Release into build/ and runs the whole test suite headless.
# Ends with the line "N passed, N failed[, N skipped]" (test functions, summed over every test executable).
# With CI=true warnings are errors, the external conformance runs, and a Clang build with AddressSanitizer,
# UBSan and libFuzzer instrumentation runs the suite again and then every fuzz harness for a fixed budget
# (docs/ci.md). ADCP_SKIP_CONFORMANCE=1, ADCP_SKIP_SANITIZERS=1 and ADCP_SKIP_FUZZ=1 leave a stage out.
# ADCP_UNITY_BUILD and ADCP_PCH (ON/OFF, cmake/AdcpBuildSpeed.cmake) set unity batches and the precompiled
# header for both builds; by default the Clang build uses them and the GCC Release build does not yet.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" || exit 1

ci=${CI:-false}
werror=OFF
[[ "$ci" == true ]] && werror=ON

export QT_QPA_PLATFORM=offscreen
passed=0 failed=0 skipped=0

# stage <name>: prints how long the previous stage took (docs/ci.md reads these lines), then the new name.
stage_name="" stage_start=$SECONDS
stage() {
    [[ -n "$stage_name" ]] && echo "== stage $stage_name: $((SECONDS - stage_start)) s"
    stage_name=$1 stage_start=$SECONDS
}

# run_suite <build-dir> <cmake options...>: builds, runs ctest, adds the QtTest totals to the counters.
# Stage names are prefixed with <label>.
run_suite() {
    local dir=$1 label=$2
    shift 2
    stage "$label build"
    if ! "$root/scripts/build.sh" "$dir" -DADCP_BUILD_TESTS=ON -DADCP_BUILD_BENCH=ON \
            -DADCP_WARNINGS_AS_ERRORS=$werror "$@"; then
        echo "build failed in $dir"
        failed=$((failed + 1))
        return 1
    fi
    stage "$label suite"
    local log="$dir/test-output.log"
    (cd "$dir" && ctest --output-on-failure -V -j "$(nproc)" --timeout 600) > "$log" 2>&1
    local rc=$?
    grep -E '^[0-9]+/[0-9]+ Test +#|tests passed|tests failed' "$log"
    # ctest -V prefixes each line of a test's output with "<test number>: ".
    read -r p f s crashed < <(awk '
        /^[0-9]+: Totals: / { n = $1; sub(":", "", n); seen[n] = 1
            p += $3; f += $5; s += $7 }
        /^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / && !/Passed/ {
            n = $0; sub(/^.*Test +#/, "", n); sub(/:.*/, "", n); bad[n] = 1 }
        END { c = 0; for (n in bad) if (!(n in seen)) c++; print p + 0, f + 0, s + 0, c }' "$log")
    passed=$((passed + p)); failed=$((failed + f + crashed)); skipped=$((skipped + s))
    if ((rc != 0 && f + crashed == 0)); then
        failed=$((failed + 1))
    fi
    if ((rc != 0)); then
        echo "--- failures in $dir (full log: $log) ---"
        # The verdicts first (a failed check, a fatal message, a sanitizer report), then each failed test's
        # last lines: the QWARN noise of passing GUI tests must not push the cause out of the summary.
        grep -E '^[0-9]+: (FAIL!|QFATAL|XPASS|   Loc:)|ERROR: (Address|Leak|Thread)Sanitizer|runtime error:|terminate called' \
            "$log" | head -60
        local n
        for n in $(awk '/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / && !/Passed/ {
                            n = $0; sub(/^.*Test +#/, "", n); sub(/:.*/, "", n); print n }' "$log"); do
            echo "--- the last lines of test #$n ---"
            grep -E "^$n: " "$log" | grep -v 'propagateSizeHints\|does not support raise' | tail -25
        done
    fi
}

shared=${ADCP_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}
if [[ "$ci" == true && -d "$shared/harness" ]]; then
    # The external AdCP harness (npm registry): with it the client tests also run against the SDK's example
    # seller, and the storyboards run against our --serve below. Without npm those tests report skipped.
    command -v npm >/dev/null || "$root/scripts/setup.sh" nodejs npm
    bash "$shared/harness/install.sh" > /tmp/adcp-harness-install.log 2>&1 ||
        echo "harness install failed (see /tmp/adcp-harness-install.log); harness tests will be skipped"
fi

run_suite "$root/build" release -DADCP_UNITY_BUILD="${ADCP_UNITY_BUILD:-OFF}" -DADCP_PCH="${ADCP_PCH:-OFF}"

if [[ "$ci" == true && -d "$shared/harness" && "${ADCP_SKIP_CONFORMANCE:-0}" != 1 ]]; then
    stage conformance
    echo "== External conformance: AdCP storyboards and MCP server scenarios against --serve =="
    # Every bundle runs and is reported; the gate is the bundles listed in scripts/conformance-gate.txt
    # (the seven bundles the seller claims) plus the MCP scenarios.
    gate=$(grep -v '^#' "$root/scripts/conformance-gate.txt" | xargs)
    CONFORMANCE_OUT="$root/build/conformance" ADCP_SHARED_DIR="$shared" \
        "$root/scripts/conformance.sh" "$root/build/app/adcp-workbench" | tee "$root/build/conformance.log"
    for b in $gate; do
        line=$(grep -E "^$b: " "$root/build/conformance.log" | tail -1)
        if [[ ! "$line" =~ ": "[0-9]+" passed, 0 failed" ]]; then
            echo "conformance gate: bundle $b did not pass (${line:-no result})"
            failed=$((failed + 1))
        fi
    done
    if ! grep -qE '^adcp fuzz: [1-9][0-9]* runs, 0 failures' "$root/build/conformance.log"; then
        echo "conformance gate: adcp fuzz (seed 1, second tenant) did not pass"
        failed=$((failed + 1))
    fi
    if ! grep -qE 'conformance: .*; ([0-9]+)/\1 MCP scenarios passed' "$root/build/conformance.log"; then
        echo "conformance gate: MCP server scenarios did not all pass"
        failed=$((failed + 1))
    fi
fi
if [[ "$ci" == true && "${ADCP_SKIP_SANITIZERS:-0}" != 1 ]]; then
    # One Clang build for both: the suite under ASan+UBSan, and the fuzz harnesses (libFuzzer). -O1 keeps the
    # instrumented suite fast; line tables are enough for readable sanitizer stacks.
    echo "== Clang: AddressSanitizer + UndefinedBehaviorSanitizer suite, then the fuzz harnesses =="
    "$root/scripts/setup.sh" clang libfuzzer-14-dev libclang-rt-14-dev || exit 1
    if ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_suite "$root/build-clang" sanitizer "-DCMAKE_CXX_COMPILER=$(command -v clang++)" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" -DADCP_SANITIZE=ON \
            -DADCP_FUZZ=ON -DADCP_BUILD_BENCH=OFF -DADCP_UNITY_BUILD="${ADCP_UNITY_BUILD:-ON}" \
            -DADCP_PCH="${ADCP_PCH:-ON}" &&
        [[ "${ADCP_SKIP_FUZZ:-0}" != 1 ]]; then
        stage fuzz
        echo "== Fuzzing: every harness for its fixed budget (fuzz/run.sh) =="
        "$root/fuzz/run.sh" "$root/build-clang" ci || failed=$((failed + 1))
    fi
fi
stage done

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))

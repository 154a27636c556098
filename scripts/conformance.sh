#!/usr/bin/env bash
# External conformance of the seller: for each AdCP storyboard bundle a fresh `adcp-workbench --serve` (new
# database, port chosen by the OS) is started, the bundle runs against it and the seller is stopped with SIGTERM;
# then the generic MCP server scenarios run against one more fresh seller that lets token-less loopback calls in.
# usage: scripts/conformance.sh [path/to/adcp-workbench]
# env:   ADCP_SHARED_DIR (default ../shared), ADCP_HARNESS_DIR (see the harness README),
#        CONFORMANCE_BUNDLES (space separated), CONFORMANCE_OUT (results folder, default a temp dir),
#        CONFORMANCE_SKIP_MCP=1 to skip the MCP scenarios, CONFORMANCE_SKIP_FUZZ=1 to skip `adcp fuzz`,
#        CONFORMANCE_SKIP_A2A=1 to skip the SDK client's A2A call.
# "full" is the official full selection: no bundle id, the runner picks storyboards from the seller's
# capabilities; failures listed in scripts/conformance-full-known.txt are reported apart (runner limits).
# Bundles listed in bundle_clock below run (the runner and its fresh seller) under faketime at a fixed date;
# docs/conformance.md says why.
# Last line: "conformance: P passed, F failed, S skipped (storyboard steps); M/N MCP scenarios passed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/app/adcp-workbench}
shared=${ADCP_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}
harness=$shared/harness
bundles=${CONFORMANCE_BUNDLES:-sales-guaranteed sales-non-guaranteed media_buy_seller capability_discovery error_compliance idempotency schema_validation full}
out=${CONFORMANCE_OUT:-$(mktemp -d)}
token=conformance-token-0123456789
mkdir -p "$out"

[[ -x "$bin" ]] || { echo "conformance: $bin is not built" >&2; exit 2; }
[[ -d "$harness" ]] || { echo "conformance: no harness at $harness (set ADCP_SHARED_DIR)" >&2; exit 2; }
bash "$harness/install.sh" >"$out/install.log" 2>&1 || { echo "conformance: harness install failed, see $out/install.log" >&2; exit 2; }

# bundle_clock <bundle>: the date both processes of that bundle run at, empty = the real clock.
# idempotency replays create_media_buy and needs the runner to send its sample flight (June 2026) verbatim;
# the runner replaces sample dates that lie in the past with "now + 1 day" computed per call, which makes
# the replay a different payload. Its dates must therefore still be in the future.
bundle_clock() {
# The full selection includes the idempotency storyboard (and others with 2026 sample flights).
    case $1 in
    idempotency | full) echo '2026-05-20 00:00:00' ;;
    esac
}
# bundle_receiver <bundle>: "yes" when the runner should host its loopback webhook receiver, so that the
# bundle's expect_webhook steps are graded instead of skipped (idempotency: no duplicate webhook on replay).
bundle_receiver() {
    case $1 in
    idempotency | full) echo yes ;;
    esac
}
# bundle_flags <bundle>: extra seller options for that bundle. signed_requests: the seller verifies RFC 9421
# request signatures and is configured per the runner's test kit (test-kits/signed-requests-runner.yaml): the
# runner's published test JWKS as a known signer, test-revoked-2026 revoked, the per-key replay cap at the
# kit's grading target (100), and the 3.0/3.1 content-digest posture "either" (the 3.0.6 runner signs its positive
# vectors without content-digest; the seller then does not claim 3.2). Not in the default list: see
# docs/conformance.md (3 failures no seller can pass).
bundle_flags() {
    case $1 in
    signed_requests)
        local kit=${ADCP_HARNESS_DIR:-$HOME/.cache/adcp-harness}/sdk/node_modules/@adcp/sdk/compliance/cache/3.0.6
        echo "--request-signing required --request-signing-jwks $kit/test-vectors/request-signing/keys.json=conformance:sandbox" \
            "--request-signing-revoked test-revoked-2026 --request-signing-replay-cap 100" \
            "--request-signing-content-digest either"
        ;;
    esac
}
# run_full: the full selection against $url; prints "full: P passed, F failed, S skipped (…)" where F counts the
# failures not listed in scripts/conformance-full-known.txt, and writes a per-storyboard table to full.table.md.
run_full() {
    local runner=${ADCP_HARNESS_DIR:-$HOME/.cache/adcp-harness}/sdk/node_modules/@adcp/sdk/bin/adcp.js
    "${clock_wrap[@]}" node "$runner" storyboard run "$url" --auth "$token" --allow-http --json \
        --webhook-receiver --timeout 900 >"$out/full.json" 2>"$out/full.err"
    node - "$out/full.json" "$root/scripts/conformance-full-known.txt" "$out/full.table.md" <<'JS' ||
const fs = require('fs');
const [result, knownFile, tableFile] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(result, 'utf8'));
const known = fs.readFileSync(knownFile, 'utf8').split('\n').map(l => l.trim())
    .filter(l => l && !l.startsWith('#')).map(l => l.split(/\s+/));
const isKnown = f => known.some(([sb, step]) => sb === f.storyboard_id && (step === '*' || step === f.step_id));
const failures = r.failures || [];
const unknown = failures.filter(f => !isKnown(f));
// One row per storyboard (media_buy_seller's scenarios are storyboards of their own), in the runner's order.
const rows = new Map();
for (const t of r.tracks || [])
    for (const s of t.scenarios || []) {
        const parts = s.scenario.split('/');
        const key = parts[0] === 'media_buy_seller' && parts.length > 1 ? parts.slice(0, 2).join('/') : parts[0];
        const row = rows.get(key) || [0, 0, 0];
        for (const st of s.steps || []) row[st.skipped ? 2 : st.passed ? 0 : 1]++;
        rows.set(key, row);
    }
fs.writeFileSync(tableFile, '| storyboard | passed | failed | skipped |\n|---|---:|---:|---:|\n' +
    [...rows].map(([k, [p, f, s]]) => `| ${k} | ${p} | ${f} | ${s} |`).join('\n') + '\n');
for (const f of unknown) console.log(`  FAILED ${f.storyboard_id}/${f.step_id}: ${f.error || (f.validation && f.validation.description) || ''}`);
const s = r.summary || {};
console.log(`full: ${s.steps_passed ?? 0} passed, ${unknown.length} failed, ${s.steps_skipped ?? 0} skipped ` +
    `(${failures.length - unknown.length} known runner-limited failures: scripts/conformance-full-known.txt)`);
JS
        echo "full: 0 passed, 1 failed, 0 skipped (no result, see $out/full.err)"
}
# run_bundle <bundle>: one bundle against $url; prints "<bundle>: P passed, F failed, S skipped".
run_bundle() {
    local b=$1
    if [[ "$b" == full ]]; then
        run_full
    elif [[ "$(bundle_receiver "$b")" == yes ]]; then
        # The harness script has no receiver option; this is its command line with --webhook-receiver added.
        local runner=${ADCP_HARNESS_DIR:-$HOME/.cache/adcp-harness}/sdk/node_modules/@adcp/sdk/bin/adcp.js
        "${clock_wrap[@]}" node "$runner" storyboard run "$url" "$b" --auth "$token" --allow-http --json \
            --webhook-receiver --summary-output "$out/$b.summary.json" >"$out/$b.json" 2>"$out/$b.err"
        node -e 'const s=require(process.argv[1]);console.log(`${process.argv[2]}: ${s.passed??0} passed, ${s.failed??0} failed, ${s.skipped??0} skipped`)' \
            "$out/$b.summary.json" "$b" 2>/dev/null || echo "$b: 0 passed, 1 failed, 0 skipped"
    else
        STORYBOARD_OUT="$out" "${clock_wrap[@]}" bash "$harness/storyboards.sh" "$url" "$token" "$b"
    fi
}
clock_wrap=()
set_clock() {
    local at
    at=$(bundle_clock "$1")
    clock_wrap=()
    if [[ -n "$at" ]]; then
        # libfaketime preloaded through env (not the faketime wrapper, which forks): $! stays the seller's pid,
        # so SIGTERM reaches it. The MT variant because the seller and node run threads.
        local lib
        lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
        [[ -n "$lib" ]] || { echo "conformance: $1 needs libfaketime (Debian package faketime)" >&2; return 1; }
        clock_wrap=(env "LD_PRELOAD=$lib" "FAKETIME=@$at")
    fi
}

pid=
url=
# start_seller <name> <extra options...>: fresh database, free port; sets $pid and $url.
start_seller() {
    local name=$1
    shift
    local dir
    dir=$(mktemp -d)
    ADCP_STORAGE_STRICT=1 "${clock_wrap[@]}" "$bin" --serve --port 0 --db "$dir/seller.sqlite" --token "$token=conformance:sandbox" \
        --proposal-version-optional --allow-private-webhooks "$@" \
        >"$out/$name.seller.log" 2>&1 &
    pid=$!
    url=
    for _ in $(seq 1 100); do
        url=$(grep -o 'http://[0-9.]*:[0-9]*/mcp' "$out/$name.seller.log" | head -1)
        [[ -n "$url" ]] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "conformance: the seller did not start, see $out/$name.seller.log" >&2
    return 1
}
stop_seller() {
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}
trap stop_seller EXIT

P=0 F=0 S=0
for b in $bundles; do
    # shellcheck disable=SC2046 # the flags are words on purpose
    if ! set_clock "$b" || ! start_seller "$b" $(bundle_flags "$b"); then
        F=$((F + 1))
        continue
    fi
    run_bundle "$b" >"$out/$b.txt" 2>&1
    grep -E '^  FAILED ' "$out/$b.txt"
    line=$(grep -E "^$b: " "$out/$b.txt" | tail -1)
    echo "${line:-$b: no result (see $out/$b.txt)}"
    read -r p f s < <(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')
    [[ "$p" =~ ^[0-9]+$ ]] || { p=0 f=1 s=0; }
    P=$((P + p)) F=$((F + f)) S=$((S + s))
    stop_seller
    clock_wrap=()
done

mcp_passed=0 mcp_total=0
if [[ "${CONFORMANCE_SKIP_MCP:-0}" != 1 ]]; then
    # The MCP suite sends no Authorization header: this run lets token-less loopback calls act as a principal.
    if start_seller mcp --allow-anonymous conformance:sandbox; then
        MCP_CONF_OUT="$out" bash "$harness/mcp-conformance.sh" "$url" >"$out/mcp.txt" 2>&1
        grep -E ': (passed|FAILED)' "$out/mcp.txt"
        mcp_passed=$(grep -c ': passed' "$out/mcp.txt")
        mcp_total=$(grep -cE ': (passed|FAILED)' "$out/mcp.txt")
        stop_seller
    else
        mcp_total=1
    fi
fi
# The SDK's schema-driven fuzzer: every read tool (and the updates, with --auto-seed) with generated inputs;
# answers must validate or be well-formed AdCP errors, and an unknown id and another tenant's id must get
# byte-identical errors (the second token is another principal). The seed is pinned so CI is repeatable.
# Prints "adcp fuzz: R runs, F failures".
fuzz_failures=0
if [[ "${CONFORMANCE_SKIP_FUZZ:-0}" != 1 ]]; then
    if start_seller fuzz --token "$token-b=conformance-b:sandbox"; then
        runner=${ADCP_HARNESS_DIR:-$HOME/.cache/adcp-harness}/sdk/node_modules/@adcp/sdk/bin/adcp.js
        node "$runner" fuzz "$url" --auth-token "$token" --auth-token-cross-tenant "$token-b" --auto-seed \
            --seed 1 >"$out/fuzz.txt" 2>&1
        fuzz_rc=$?
        runs=$(grep -oE 'Runs: [0-9]+' "$out/fuzz.txt" | grep -oE '[0-9]+')
        fuzz_failures=$(grep -oE 'Failures: [0-9]+' "$out/fuzz.txt" | grep -oE '[0-9]+')
        ((fuzz_rc == 0)) || [[ -n "$fuzz_failures" && "$fuzz_failures" != 0 ]] || fuzz_failures=1
        grep -E '^  [a-z_]+ +(PASS|FAIL)' "$out/fuzz.txt"
        echo "adcp fuzz: ${runs:-0} runs, ${fuzz_failures:-1} failures"
        stop_seller
    else
        fuzz_failures=1
        echo "adcp fuzz: 0 runs, 1 failures"
    fi
fi
# The SDK's own command-line client over A2A, which sends the 3.0/3.1 form {skill, parameters}: a brief must
# come back with products. Prints "adcp a2a: ok" or "adcp a2a: failed".
a2a_failed=0
if [[ "${CONFORMANCE_SKIP_A2A:-0}" != 1 ]]; then
    a2a_failed=1
    if start_seller a2a; then
        runner=${ADCP_HARNESS_DIR:-$HOME/.cache/adcp-harness}/sdk/node_modules/@adcp/sdk/bin/adcp.js
        node "$runner" "${url%/mcp}" get_products \
            '{"buying_mode":"brief","brief":"Video for outdoor gear in the US","brand":{"domain":"acmeoutdoor.example"}}' \
            --protocol a2a --auth "$token" >"$out/a2a.txt" 2>&1 && grep -q '"product_id"' "$out/a2a.txt" && a2a_failed=0
        stop_seller
    fi
    echo "adcp a2a: $( ((a2a_failed == 0)) && echo ok || echo failed)"
fi
echo "results in $out"
echo "conformance: $P passed, $F failed, $S skipped (storyboard steps); $mcp_passed/$mcp_total MCP scenarios passed"
((F == 0 && mcp_passed == mcp_total && ${fuzz_failures:-1} == 0 && a2a_failed == 0))

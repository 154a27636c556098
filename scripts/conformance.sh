#!/usr/bin/env bash
# External conformance of the seller: for each AdCP storyboard bundle a fresh `adcp-workbench --serve` (new
# database, port chosen by the OS) is started, the bundle runs against it and the seller is stopped with SIGTERM;
# then the generic MCP server scenarios run against one more fresh seller that lets token-less loopback calls in.
# usage: scripts/conformance.sh [path/to/adcp-workbench]
# env:   ADCP_SHARED_DIR (default ../shared), ADCP_HARNESS_DIR (see the harness README),
#        CONFORMANCE_BUNDLES (space separated), CONFORMANCE_OUT (results folder, default a temp dir),
#        CONFORMANCE_SKIP_MCP=1 to skip the MCP scenarios.
# Last line: "conformance: P passed, F failed, S skipped (storyboard steps); M/N MCP scenarios passed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/app/adcp-workbench}
shared=${ADCP_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}
harness=$shared/harness
bundles=${CONFORMANCE_BUNDLES:-sales-guaranteed sales-non-guaranteed media_buy_seller capability_discovery error_compliance idempotency schema_validation}
out=${CONFORMANCE_OUT:-$(mktemp -d)}
token=conformance-token-0123456789
mkdir -p "$out"

[[ -x "$bin" ]] || { echo "conformance: $bin is not built" >&2; exit 2; }
[[ -d "$harness" ]] || { echo "conformance: no harness at $harness (set ADCP_SHARED_DIR)" >&2; exit 2; }
bash "$harness/install.sh" >"$out/install.log" 2>&1 || { echo "conformance: harness install failed, see $out/install.log" >&2; exit 2; }

pid=
url=
# start_seller <name> <extra options...>: fresh database, free port; sets $pid and $url.
start_seller() {
    local name=$1
    shift
    local dir
    dir=$(mktemp -d)
    "$bin" --serve --port 0 --db "$dir/seller.sqlite" --token "$token=conformance:sandbox" \
        --proposal-version-optional "$@" \
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
    if ! start_seller "$b"; then
        F=$((F + 1))
        continue
    fi
    STORYBOARD_OUT="$out" bash "$harness/storyboards.sh" "$url" "$token" "$b" >"$out/$b.txt" 2>&1
    line=$(grep -E "^$b: " "$out/$b.txt" | tail -1)
    echo "${line:-$b: no result (see $out/$b.txt)}"
    read -r p f s < <(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')
    [[ "$p" =~ ^[0-9]+$ ]] || { p=0 f=1 s=0; }
    P=$((P + p)) F=$((F + f)) S=$((S + s))
    stop_seller
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
echo "results in $out"
echo "conformance: $P passed, $F failed, $S skipped (storyboard steps); $mcp_passed/$mcp_total MCP scenarios passed"
((F == 0 && mcp_passed == mcp_total))

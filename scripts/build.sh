#!/usr/bin/env bash
# Configures (once) and builds the project. Usage: scripts/build.sh <build-dir> [extra cmake -D options...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:?build directory}
shift
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# ccache, when installed, makes rebuilds in fresh clones cheap; paths under the parent folder are hashed relatively.
if command -v ccache >/dev/null; then
    generator+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd "$root/.." && pwd)}
fi
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
else
    cmake -S "$root" -B "$dir" "$@" >/dev/null
fi
cmake --build "$dir" --parallel "$(nproc)"

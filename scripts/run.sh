#!/usr/bin/env bash
# Command 1: installs what is missing, builds Release into build/ and starts the workbench with the embedded
# seller. Arguments are passed to adcp-workbench (for example --serve --port 8765).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$root/build" -DADCP_BUILD_TESTS=OFF -DADCP_BUILD_BENCH=OFF
exec "$root/build/app/adcp-workbench" "$@"

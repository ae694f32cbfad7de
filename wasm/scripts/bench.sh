#!/usr/bin/env bash
# Builds the module (wasm/scripts/build.sh) and runs the benchmark page in headless Chromium:
# the seed's calculateMetrics in JavaScript vs the module's columnar path over 1,000,000 calls.
#   wasm/scripts/bench.sh [--n 1000000] [--runs 7]
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_chromium
"$WASM_DIR/scripts/build.sh"
node "$WASM_DIR/bench/run.mjs" "$@"

#!/usr/bin/env bash
# The whole test suite, as the README's second command and .ci/run run it:
#   1. cargo test --release --workspace: unit tests, and integration tests that drive the real
#      binary, the real simulator over HTTP, real DuckDB files and Python's duckdb package;
#   2. wasm/scripts/test-browser.sh: the WebAssembly module in headless Chromium against the
#      native core (installs wasm-bindgen-cli, binaryen and Chromium when missing).
# Uses the release profile everywhere, so the bundled DuckDB is compiled once per target dir.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --workspace
bash wasm/scripts/test-browser.sh

#!/usr/bin/env bash
# End-to-end test of the goals dashboard page (wasm/dashboard/) in real headless Chromium.
#
#   wasm/scripts/test-dashboard.sh [DATA_DIR] [OUT_DIR]
#
# DATA_DIR (or $DASHBOARD_DATA): a `callduck export dashboard --out DIR` directory. Without one, the
# script makes a fresh one in a temporary directory with the engine's binary
# (`${CALLDUCK_BIN:-callduck}`, else target/release/callduck under $CARGO_TARGET_DIR or the
# checkout): `callduck demo --agents 8 --days 90`, then `callduck export dashboard`. It never builds
# the engine.
# OUT_DIR (or $DASHBOARD_OUT): where dashboard.png, dashboard-agent.png and dashboard-mobile.png go
# (default: a new temporary directory, printed at the end).
#
# Builds pkg/ with build.sh when it is missing or older than the module's sources (the page loads
# pkg/web/callduck_metrics.js), installs the npm tools (npm ci in wasm/) and Debian's Chromium when
# missing, serves the repository with wasm/dashboard/serve.mjs and runs wasm/dashboard/e2e.mjs
# (what it checks is described there). Exits non-zero on any failure; running it again changes
# nothing but the screenshots.
ENGINE_TARGET_DIR="${CARGO_TARGET_DIR:-}"   # before env.sh points CARGO_TARGET_DIR at the wasm build
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

DATA_DIR="${1:-${DASHBOARD_DATA:-}}"
OUT_DIR="${2:-${DASHBOARD_OUT:-}}"

command -v node >/dev/null || die "node is not on PATH (apt-get install -y nodejs npm)"
ensure_pkg
ensure_npm_tools
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || ensure_chromium

TMP_DATA=""
cleanup() { [[ -n "$TMP_DATA" ]] && rm -rf "$TMP_DATA"; return 0; }
trap cleanup EXIT

if [[ -z "$DATA_DIR" ]]; then
  BIN="${CALLDUCK_BIN:-}"
  if [[ -z "$BIN" ]]; then
    for candidate in "$(command -v callduck || true)" \
      ${ENGINE_TARGET_DIR:+"$ENGINE_TARGET_DIR/release/callduck"} "$REPO_DIR/target/release/callduck"; do
      if [[ -n "$candidate" && -x "$candidate" ]]; then BIN="$candidate"; break; fi
    done
  fi
  [[ -n "$BIN" ]] || die "no data: pass DATA_DIR (or DASHBOARD_DATA), or set CALLDUCK_BIN to the callduck binary (cargo build --release -p callduck)"
  command -v "$BIN" >/dev/null || die "CALLDUCK_BIN=$BIN is not executable"
  TMP_DATA="$(mktemp -d "${TMPDIR:-/tmp}/callduck-dashboard-data.XXXXXX")"
  log "$BIN demo --agents 8 --days 90 → $TMP_DATA"
  (cd "$TMP_DATA" && "$BIN" demo --db "$TMP_DATA/demo.duckdb" --agents 8 --days 90 -q >/dev/null)
  log "$BIN export dashboard"
  "$BIN" --db "$TMP_DATA/demo.duckdb" -q export dashboard --out "$TMP_DATA/data"
  DATA_DIR="$TMP_DATA/data"
fi
[[ -f "$DATA_DIR/dashboard.json" ]] || die "$DATA_DIR/dashboard.json is missing (expected a \`callduck export dashboard --out DIR\` directory)"

if [[ -z "$OUT_DIR" ]]; then
  OUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/callduck-dashboard-out.XXXXXX")"
fi
mkdir -p "$OUT_DIR"

log "node wasm/dashboard/e2e.mjs (headless Chromium)"
CALLDUCK_PKG_DIR="$PKG_DIR" node "$WASM_DIR/dashboard/e2e.mjs" --data "$DATA_DIR" --out "$OUT_DIR"

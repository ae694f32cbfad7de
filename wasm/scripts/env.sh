# Shared settings of the wasm/ scripts (sourced, not run).
#
# The module is built in its own target directory, never the engine's (which holds a 30-minute
# DuckDB build), with size-friendly release settings that apply to this build only: they are
# passed as CARGO_PROFILE_* variables, so the workspace profile stays as it is.

set -euo pipefail

WASM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$WASM_DIR/.." && pwd)"
export CARGO_TARGET_DIR="${CALLDUCK_WASM_TARGET_DIR:-$HOME/.cache/callduck/wasm-target}"
export CARGO_PROFILE_RELEASE_LTO=true
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
# Optimised for size: 195 KiB gzipped against 216 KiB at opt-level 3, for about the same speed on the
# hot loops, which are written not to rely on inlining (wasm/README.md, "Size and speed").
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CALLDUCK_WASM_OPT_LEVEL:-z}"
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_INCREMENTAL=false
# Must equal the `wasm-bindgen` pin in wasm/Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130
PKG_DIR="${CALLDUCK_PKG_DIR:-$REPO_DIR/pkg}"
WASM_OPT="$WASM_DIR/node_modules/.bin/wasm-opt"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror: %s\033[0m\n' "$*" >&2; exit 1; }

# Installs what the scripts need when it is missing: the wasm32 target, wasm-bindgen-cli at the
# pinned version (from crates.io; ~5 min the first time) and the npm tools (binaryen's wasm-opt,
# playwright-core, esbuild, typescript) from wasm/package-lock.json.
ensure_toolchain() {
  command -v cargo >/dev/null || die "cargo is not on PATH"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
    log "cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION"
    # Not --locked: its lockfile names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  ensure_npm_tools
}

# The npm tools of wasm/package-lock.json (binaryen's wasm-opt, playwright-core, esbuild,
# typescript): `npm ci` in wasm/ when node_modules is missing or older than the lock file.
ensure_npm_tools() {
  if [[ ! -x "$WASM_OPT" || ! -f "$WASM_DIR/node_modules/.package-lock.json" \
        || "$WASM_DIR/package-lock.json" -nt "$WASM_DIR/node_modules/.package-lock.json" ]]; then
    command -v npm >/dev/null || die "npm is not on PATH (apt-get install -y nodejs npm)"
    log "npm ci in wasm/ (binaryen, playwright-core, esbuild, typescript)"
    (cd "$WASM_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Builds pkg/ with build.sh when it is missing or older than what it is built from, so a test never
# runs yesterday's module; otherwise reuses it (e.g. the one an earlier script of the same run built).
ensure_pkg() {
  local stamp="$PKG_DIR/package.json"
  if [[ ! -f "$stamp" || ! -f "$PKG_DIR/web/callduck_metrics_bg.wasm" ]]; then
    log "$PKG_DIR is missing or incomplete: wasm/scripts/build.sh"
    "$WASM_DIR/scripts/build.sh"
  elif [[ -n "$(find "$WASM_DIR/src" "$WASM_DIR/bindings/src" "$WASM_DIR/Cargo.toml" \
      "$WASM_DIR/bindings/Cargo.toml" "$WASM_DIR/npm" "$WASM_DIR/scripts/build.sh" \
      "$WASM_DIR/scripts/env.sh" "$REPO_DIR/Cargo.toml" "$REPO_DIR/Cargo.lock" "$REPO_DIR/LICENSE" \
      -newer "$stamp" -print -quit)" ]]; then
    log "$PKG_DIR is older than its sources: wasm/scripts/build.sh"
    "$WASM_DIR/scripts/build.sh"
  fi
}

# Installs Debian's Chromium and its WebDriver when missing.
ensure_chromium() {
  if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    command -v apt-get >/dev/null || die "Chromium is missing and apt-get is not available"
    log "apt-get install chromium chromium-driver"
    local sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver
  fi
}

gzip_size() { gzip -9 -c "$1" | wc -c; }

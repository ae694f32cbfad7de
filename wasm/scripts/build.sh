#!/usr/bin/env bash
# Builds the callduck-metrics WebAssembly package into pkg/ at the repository root:
#   cargo build --target wasm32-unknown-unknown  →  wasm-bindgen --target web  →  wasm-opt -Oz
# and prints the module's raw and gzipped sizes. Installs what it needs when missing (see env.sh);
# downloads nothing else at build time.
#
#   wasm/scripts/build.sh            # pkg/callduck_metrics.{js,d.ts,_bg.wasm}, package.json
#   CALLDUCK_PKG_DIR=/tmp/pkg wasm/scripts/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ensure_toolchain

log "cargo build --release -p callduck-metrics-wasm --target wasm32-unknown-unknown"
(cd "$REPO_DIR" && cargo build --release -p callduck-metrics-wasm --lib --target wasm32-unknown-unknown)
RAW="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/callduck_metrics_wasm.wasm"
[[ -f "$RAW" ]] || die "cargo produced no $RAW"

log "wasm-bindgen --target web --out-dir $PKG_DIR"
rm -rf "$PKG_DIR"
mkdir -p "$PKG_DIR"
wasm-bindgen --target web --out-dir "$PKG_DIR" --out-name callduck_metrics "$RAW"

WASM="$PKG_DIR/callduck_metrics_bg.wasm"
BEFORE=$(wc -c <"$WASM")
WASM_OPT_LEVEL="${CALLDUCK_WASM_OPT:--Oz}"
log "wasm-opt $WASM_OPT_LEVEL"
# The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them.
"$WASM_OPT" "$WASM_OPT_LEVEL" --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  -o "$WASM.opt" "$WASM"
mv "$WASM.opt" "$WASM"

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO_DIR/Cargo.toml" | head -1)
cat >"$PKG_DIR/package.json" <<JSON
{
  "name": "callduck-metrics",
  "version": "$VERSION",
  "description": "JustCall metrics in WebAssembly: the callduck engine's metric definitions for the browser.",
  "type": "module",
  "main": "callduck_metrics.js",
  "module": "callduck_metrics.js",
  "types": "callduck_metrics.d.ts",
  "files": ["callduck_metrics.js", "callduck_metrics.d.ts", "callduck_metrics_bg.wasm", "callduck_metrics_bg.wasm.d.ts"],
  "sideEffects": false
}
JSON

AFTER=$(wc -c <"$WASM")
GZ=$(gzip_size "$WASM")
JS_GZ=$(gzip_size "$PKG_DIR/callduck_metrics.js")
printf 'pkg: %s\n' "$PKG_DIR"
printf 'callduck_metrics_bg.wasm: %d bytes before wasm-opt, %d after, %d gzipped (%.1f KiB)\n' \
  "$BEFORE" "$AFTER" "$GZ" "$(awk -v b="$GZ" 'BEGIN { print b / 1024 }')"
printf 'callduck_metrics.js glue: %d bytes gzipped\n' "$JS_GZ"

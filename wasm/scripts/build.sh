#!/usr/bin/env bash
# Builds the callduck-metrics npm package into pkg/ at the repository root:
#   cargo build --target wasm32-unknown-unknown (one .wasm)
#   → wasm-bindgen once per JavaScript target on that same .wasm:
#       web/       --target web                          ES module, init()/initSync() (browsers, `callduck-metrics/web`)
#       node/      --target experimental-nodejs-module   ES module for Node, loads the .wasm on import
#       node-cjs/  --target nodejs                       CommonJS for Node's require()
#   → wasm-opt -Oz --converge on the .wasm (wasm-bindgen writes the same bytes for every target;
#     a copy that differs is optimised on its own)
#   → index.js (browsers and bundlers: the web build, initialised on import), index.d.ts,
#     package.json (exports map), README.md (from wasm/npm/README.md) and LICENSE (the
#     repository's).
# Prints the module's raw and gzipped sizes and fails when the gzipped module exceeds its budget
# (CALLDUCK_WASM_BUDGET_KIB, default 200; 0 turns the check off). Installs what it needs when
# missing (see env.sh);
# downloads nothing else at build time. The package's layout and exports are described in
# wasm/npm/README.md and wasm/README.md; wasm/scripts/test-package.sh tests it as npm installs it.
#
#   wasm/scripts/build.sh            # pkg/{package.json,README.md,index.js,index.d.ts,web/,node/,node-cjs/}
#   CALLDUCK_PKG_DIR=/tmp/pkg wasm/scripts/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ensure_toolchain

log "cargo build --release -p callduck-metrics-wasm --target wasm32-unknown-unknown"
(cd "$REPO_DIR" && cargo build --release -p callduck-metrics-wasm --lib --target wasm32-unknown-unknown)
RAW="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/callduck_metrics_wasm.wasm"
[[ -f "$RAW" ]] || die "cargo produced no $RAW"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
rm -rf "$PKG_DIR"
mkdir -p "$PKG_DIR"
# folder:wasm-bindgen target (the folder names are the exports map's, below).
BUILDS=(web:web node:experimental-nodejs-module node-cjs:nodejs)
for build in "${BUILDS[@]}"; do
  dir="${build%%:*}" target="${build#*:}"
  log "wasm-bindgen --target $target --out-dir $PKG_DIR/$dir"
  wasm-bindgen --target "$target" --out-dir "$PKG_DIR/$dir" --out-name callduck_metrics "$RAW"
done

WASM_OPT_LEVEL="${CALLDUCK_WASM_OPT:--Oz}"
# The features rustc enables by default for wasm32-unknown-unknown; wasm-opt must accept them.
optimise() {
  # --converge repeats the passes while they still shrink the module: ~1 KiB gzipped, ~5 s.
  "$WASM_OPT" "$WASM_OPT_LEVEL" --converge --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$1.opt" "$1"
  mv "$1.opt" "$1"
}
FIRST="$PKG_DIR/web/callduck_metrics_bg.wasm"
BEFORE=$(wc -c <"$FIRST")
cp "$FIRST" "$WORK/unoptimised.wasm"
log "wasm-opt $WASM_OPT_LEVEL"
optimise "$FIRST"
for build in "${BUILDS[@]:1}"; do
  wasm="$PKG_DIR/${build%%:*}/callduck_metrics_bg.wasm"
  if cmp -s "$wasm" "$WORK/unoptimised.wasm"; then
    cp "$FIRST" "$wasm"
  else
    log "wasm-opt $WASM_OPT_LEVEL $wasm (wasm-bindgen wrote other bytes for this target)"
    optimise "$wasm"
  fi
done

# The browsers' and bundlers' entry: the web build, instantiated on import with top-level await
# (the .wasm found by `new URL(..., import.meta.url)`, which webpack, Next.js, Vite and Parcel
# bundle as an asset), exporting exactly what the Node builds export, so one import works
# everywhere. Its types are the Node build's, which declare that same API.
command -v node >/dev/null || die "node is not on PATH (apt-get install -y nodejs npm)"
EXPORTS=$(node --input-type=module -e '
  const m = await import(process.argv[1]);
  console.log(Object.keys(m).join(", "));' "$PKG_DIR/node/callduck_metrics.js") \
  || die "the Node build ($PKG_DIR/node/callduck_metrics.js) does not load"
cat >"$PKG_DIR/index.js" <<JS
// callduck-metrics for browsers and bundlers: the web build (./web/), instantiated on import.
// Import \`callduck-metrics/web\` instead to call init() or initSync() yourself.
import init from './web/callduck_metrics.js';

await init();

export { $EXPORTS } from './web/callduck_metrics.js';
JS
cat >"$PKG_DIR/index.d.ts" <<'TS'
// callduck-metrics for browsers and bundlers (index.js): the API of every build, ready on import.
export * from './node/callduck_metrics.js';
TS
# Node reads node-cjs/*.js as CommonJS only with this, the package itself being "type": "module".
printf '{\n  "type": "commonjs"\n}\n' >"$PKG_DIR/node-cjs/package.json"
printf '{\n  "type": "module"\n}\n' >"$PKG_DIR/node/package.json"

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO_DIR/Cargo.toml" | head -1)
LICENSE=$(sed -n 's/^license = "\(.*\)"/\1/p' "$REPO_DIR/Cargo.toml" | head -1)
[[ -n "$VERSION" && -n "$LICENSE" ]] || die "no version or license in $REPO_DIR/Cargo.toml [workspace.package]"
# No "repository": the workspace's is a placeholder (https://example.invalid/callduck); add the
# field here when the project has a public URL.
cat >"$PKG_DIR/package.json" <<JSON
{
  "name": "callduck-metrics",
  "version": "$VERSION",
  "description": "JustCall call, SMS and goal metrics in WebAssembly: the callduck engine's metric definitions for browsers, bundlers and Node.",
  "license": "$LICENSE",
  "keywords": ["justcall", "metrics", "dashboard", "webassembly", "wasm"],
  "type": "module",
  "exports": {
    ".": {
      "node": {
        "import": {
          "types": "./node/callduck_metrics.d.ts",
          "default": "./node/callduck_metrics.js"
        },
        "require": {
          "types": "./node-cjs/callduck_metrics.d.ts",
          "default": "./node-cjs/callduck_metrics.js"
        }
      },
      "types": "./index.d.ts",
      "default": "./index.js"
    },
    "./web": {
      "types": "./web/callduck_metrics.d.ts",
      "default": "./web/callduck_metrics.js"
    },
    "./callduck_metrics_bg.wasm": "./web/callduck_metrics_bg.wasm",
    "./package.json": "./package.json"
  },
  "main": "./node-cjs/callduck_metrics.js",
  "module": "./index.js",
  "types": "./index.d.ts",
  "files": ["index.js", "index.d.ts", "web/", "node/", "node-cjs/", "LICENSE"],
  "sideEffects": ["./index.js", "./node/callduck_metrics.js", "./node-cjs/callduck_metrics.js"],
  "engines": {
    "node": ">=18"
  }
}
JSON
sed '1{/^<!--/d}' "$WASM_DIR/npm/README.md" >"$PKG_DIR/README.md"
[[ -f "$REPO_DIR/LICENSE" ]] || die "no $REPO_DIR/LICENSE to ship in the package"
cp "$REPO_DIR/LICENSE" "$PKG_DIR/LICENSE"

AFTER=$(wc -c <"$FIRST")
GZ=$(gzip_size "$FIRST")
printf 'pkg: %s (%s)\n' "$PKG_DIR" "$(cd "$PKG_DIR" && echo */ | tr -d /)"
BUDGET_KIB="${CALLDUCK_WASM_BUDGET_KIB:-200}"
printf 'callduck_metrics_bg.wasm: %d bytes before wasm-opt, %d after, %d gzipped (%.1f KiB; budget %s KiB; opt-level %s)\n' \
  "$BEFORE" "$AFTER" "$GZ" "$(awk -v b="$GZ" 'BEGIN { print b / 1024 }')" "$BUDGET_KIB" "$CARGO_PROFILE_RELEASE_OPT_LEVEL"
printf '  time zones: %d IANA names shipped (chrono-tz, tzdata %s), offsets from the runtime'"'"'s Intl (no database in the module)\n' \
  "$(sed -n '/^pub const NAMES: &str = "$/,/^";$/p' "$WASM_DIR/src/tz/names.rs" | grep -c '^[A-Z]')" \
  "$(sed -n 's/^pub const TZDB_VERSION: &str = "\(.*\)";/\1/p' "$WASM_DIR/src/tz/names.rs")"
for build in "${BUILDS[@]}"; do
  dir="${build%%:*}"
  printf '%s/callduck_metrics.js glue: %d bytes gzipped\n' "$dir" "$(gzip_size "$PKG_DIR/$dir/callduck_metrics.js")"
done
if [[ "$BUDGET_KIB" != 0 ]] && ((GZ > BUDGET_KIB * 1024)); then
  die "the gzipped module ($GZ bytes) exceeds its budget of $BUDGET_KIB KiB (CALLDUCK_WASM_BUDGET_KIB): see wasm/README.md, \"Size and speed\""
fi

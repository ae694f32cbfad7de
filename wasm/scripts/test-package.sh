#!/usr/bin/env bash
# Tests the npm package (pkg/) the way its users get it: packed with `npm pack` and installed from
# the tarball into a temporary project (so a file missing from package.json's `files` fails), then
# imported by its name through the exports map in every environment it promises:
#   1. plain Node, ES module (`node node-app.mjs`: exports `node` + `import` → node/);
#   2. plain Node, CommonJS (`node node-require.cjs`: `node` + `require` → node-cjs/);
#   3. an esbuild bundle for Node of node-app.mjs, run with node;
#   4. an esbuild bundle for the browser (browser-app.mjs: default → index.js, the web build
#      initialised on import) and the unbundled `callduck-metrics/web` with init() (web.html), both
#      in headless Chromium;
# each computing every export on the shared fixture's records (wasm/tests/package/compute.mjs).
# check.mjs then requires identical values in all of them, equal to the native core's
# (wasm/tests/fixtures/expected.json, which the browser test also holds the module to), and of
# exactly the shapes the package's .d.ts files declare. Last, `tsc --noEmit --strict` checks
# wasm/tests/package/usage.ts (every export, every field) under moduleResolution "bundler" and
# "nodenext". The files are described in wasm/tests/package/*.
#
# The fixture's records are written by the native fixture test itself
# (CALLDUCK_FIXTURE_INPUTS, wasm/tests/fixture.rs), which also checks expected.json is current.
# Builds pkg/ with build.sh when missing or stale, else reuses it (tests/run.sh runs this after
# test-browser.sh); installs what is missing (npm tools from wasm/package-lock.json: esbuild,
# typescript, playwright-core; Debian's chromium). Exits non-zero on any failure.
#
#   wasm/scripts/test-package.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

START=$SECONDS
command -v node >/dev/null || die "node is not on PATH (apt-get install -y nodejs npm)"
command -v npm >/dev/null || die "npm is not on PATH (apt-get install -y nodejs npm)"
ensure_toolchain
ensure_chromium
ensure_pkg

TESTS="$WASM_DIR/tests/package"
BIN="$WASM_DIR/node_modules/.bin"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/callduck-package-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
APP="$WORK/app"
OUT="$WORK/results"
mkdir -p "$APP" "$OUT"

log "native: the fixture's records (and expected.json still the core's results)"
(cd "$REPO_DIR" && CALLDUCK_FIXTURE_INPUTS="$APP/inputs.json" \
  cargo test --release -q -p callduck-metrics --test fixture native_core_matches_the_fixture >"$WORK/cargo.log" 2>&1) \
  || { cat "$WORK/cargo.log" >&2; die "the native fixture test failed (see above)"; }
[[ -s "$APP/inputs.json" ]] || die "the fixture test wrote no $APP/inputs.json (is CALLDUCK_FIXTURE_INPUTS handled in wasm/tests/fixture.rs?)"
cp "$WASM_DIR/tests/fixtures/expected.json" "$APP/expected.json"

log "npm pack $PKG_DIR, npm install the tarball into a temporary project"
TARBALL=$(cd "$WORK" && npm pack "$PKG_DIR" --pack-destination "$WORK" --json --loglevel=error \
  | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const [p] = JSON.parse(s);
      console.error(`  ${p.filename}: ${p.entryCount} files, ${p.size} bytes packed, ${p.unpackedSize} unpacked`);
      console.log(p.filename);
    });')
[[ -f "$WORK/$TARBALL" ]] || die "npm pack wrote no tarball"
printf '{\n  "name": "callduck-metrics-package-test",\n  "private": true,\n  "type": "module"\n}\n' >"$APP/package.json"
(cd "$APP" && npm install --no-audit --no-fund --loglevel=error --no-save "$WORK/$TARBALL" >/dev/null) \
  || die "npm install of the packed package failed"
[[ -s "$APP/node_modules/callduck-metrics/LICENSE" ]] \
  || die "the installed package has no LICENSE (build.sh copies it; package.json's files must list it)"
cp "$TESTS"/{compute.mjs,node-app.mjs,node-require.cjs,browser-app.mjs,web.html,usage.ts,usage-require.cts} \
  "$TESTS"/tsconfig.{bundler,nodenext}.json "$APP/"
ARGS=("$APP/inputs.json" "$APP/expected.json")

log "node: import 'callduck-metrics' (plain ES module), require('callduck-metrics') (CommonJS)"
(cd "$APP" && node node-app.mjs "${ARGS[@]}" "$OUT/node-import.json") || die "node node-app.mjs failed"
(cd "$APP" && node node-require.cjs "${ARGS[@]}" "$OUT/node-require.json") || die "node node-require.cjs failed"

# esbuild leaves `new URL('callduck_metrics_bg.wasm', import.meta.url)` as it is, so the .wasm goes
# next to each bundle, found through the exports map as an esbuild user would (package README).
WASM_FILE=$(cd "$APP" && node --input-type=module -e \
  'console.log(new URL(import.meta.resolve("callduck-metrics/callduck_metrics_bg.wasm")).pathname)')
[[ -f "$WASM_FILE" ]] || die "the exports map's ./callduck_metrics_bg.wasm does not resolve to a file ($WASM_FILE)"
log "esbuild: node-app.mjs for Node, browser-app.mjs for the browser"
(cd "$APP" && "$BIN/esbuild" node-app.mjs --bundle --platform=node --format=esm --log-level=warning \
  --outfile=dist-node/app.mjs) || die "esbuild could not bundle node-app.mjs for Node"
(cd "$APP" && "$BIN/esbuild" browser-app.mjs --bundle --platform=browser --format=esm --log-level=warning \
  --outfile=dist-browser/app.js) || die "esbuild could not bundle browser-app.mjs for the browser"
cp "$WASM_FILE" "$APP/dist-node/"
cp "$WASM_FILE" "$APP/dist-browser/"
cp "$TESTS/bundle.html" "$APP/dist-browser/"
# Run from elsewhere, so nothing can come from node_modules at run time: the bundle is all it has.
(cd "$WORK" && mv "$APP/dist-node" "$WORK/dist-node" && node dist-node/app.mjs "${ARGS[@]}" "$OUT/node-bundle.json") \
  || die "the esbuild bundle for Node failed"

log "Chromium: the esbuild browser bundle, and callduck-metrics/web without a bundler"
node "$TESTS/browser.mjs" "$APP" "$OUT" || die "the browser run failed (see above)"

# The verdicts: check.mjs, then tsc twice; all run, so one run shows every kind of failure.
FAILED=()
log "check: the same values everywhere, the native core's values, the declared shapes"
node "$TESTS/check.mjs" --expected "$APP/expected.json" --inputs "$APP/inputs.json" \
  --package "$APP/node_modules/callduck-metrics" \
  "$OUT"/{node-import,node-require,node-bundle,browser-bundle,browser-web}.json \
  || FAILED+=("check.mjs: the package's values or shapes are wrong (FAIL lines above)")
for config in bundler nodenext; do
  log "tsc --noEmit --strict -p tsconfig.$config.json (usage.ts against the installed types)"
  (cd "$APP" && "$BIN/tsc" --noEmit --strict -p "tsconfig.$config.json") \
    || FAILED+=("tsc ($config): the package's types do not fit wasm/tests/package/usage.ts (errors above): fix the declarations in wasm/bindings/src/lib.rs, or the usage if the API changed on purpose")
done
if ((${#FAILED[@]})); then
  printf '\033[31mFAILED: %s\033[0m\n' "${FAILED[@]}" >&2
  exit 1
fi

log "package tests passed in $((SECONDS - START)) s"

#!/usr/bin/env bash
# Runs the wasm-bindgen-test suites in headless Chromium through chromedriver:
#   wasm/bindings/tests/browser.rs: the module's results must equal the native core's
#     (wasm/tests/fixtures/expected.json), for JSON records, typed-array columns and batch files;
#   wasm/bindings/tests/zones.rs: the module's time-zone offsets (Chromium's Intl) must equal the
#     native core's (chrono-tz) around every transition of every zone, 2000-2037
#     (wasm/tests/fixtures/zone-transitions.json); every difference is printed.
# Also runs the native fixture tests first, so a stale fixture fails here rather than in the
# browser.
#
# Idempotent; installs what is missing (wasm32 target, wasm-bindgen-cli 0.2.130, npm tools,
# Debian's chromium + chromium-driver); exits non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ensure_toolchain
ensure_chromium

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Chromium flags for a root user in a container, with a fresh profile; the runner adds
# headless, no-sandbox and disable-dev-shm-usage itself.
cat >"$WORK/webdriver.json" <<JSON
{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--no-first-run", "--user-data-dir=$WORK/profile"]
  }
}
JSON

log "native: the core matches wasm/tests/fixtures/expected.json and zone-transitions.json"
(cd "$REPO_DIR" && cargo test --release -p callduck-metrics --test fixture --test zones)

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$WORK/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
log "browser: cargo test --target wasm32-unknown-unknown --test browser --test zones (headless Chromium)"
(cd "$REPO_DIR" && cargo test --release -p callduck-metrics-wasm --target wasm32-unknown-unknown \
  --test browser --test zones -- --nocapture)
log "browser tests passed"

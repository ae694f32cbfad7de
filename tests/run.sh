#!/usr/bin/env bash
# The whole test suite, as the README's second command and .ci/run run it:
#   1. starts the Firestore emulator the machine image ships (gcloud, Java) on a free loopback
#      port, unless FIRESTORE_EMULATOR_HOST already points at one, and stops it at the end;
#   2. cargo test --release --workspace: unit tests, and integration tests that drive the real
#      binary, the real simulator over HTTP, real DuckDB files, Python's duckdb package and the
#      Firestore emulator;
#   3. the README's install step (`cargo install --path engine`) into a temporary root, reusing
#      the build, and the installed binary's --version, demo and check;
#   4. wasm/scripts/test-browser.sh: the WebAssembly module in headless Chromium against the
#      native core (installs wasm-bindgen-cli, binaryen and Chromium when missing);
#   5. wasm/scripts/test-package.sh: builds the npm package (pkg/), packs and installs it, imports
#      it by name in plain Node (import and require), in esbuild bundles for Node and the browser
#      and unbundled in headless Chromium, requires the same values everywhere, equal to the
#      native core's and shaped as its .d.ts declares, and type-checks a usage file with
#      tsc --strict (installs esbuild and typescript from wasm/package-lock.json);
#   6. wasm/scripts/test-dashboard.sh: the dashboard page end to end in headless Chromium, on a
#      demo export made by the callduck binary that step 2 built, with the pkg/ step 5 built.
# Uses the release profile everywhere, so the bundled DuckDB is compiled once per target dir.
set -euo pipefail
cd "$(dirname "$0")/.."

emulator_pid=""
# HTTP without curl (not on every fresh machine): python3 is.
http() { python3 - "$@" <<'PY'
import sys, urllib.request
method, url = sys.argv[1], sys.argv[2]
try:
    urllib.request.urlopen(urllib.request.Request(url, method=method, data=b"" if method == "POST" else None), timeout=2)
except Exception:
    sys.exit(1)
PY
}
stop_emulator() {
  if [[ -n "$emulator_pid" ]]; then
    http POST "http://$FIRESTORE_EMULATOR_HOST/shutdown" || true
    kill -- "-$emulator_pid" 2>/dev/null || kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
}
trap stop_emulator EXIT

if [[ -z "${FIRESTORE_EMULATOR_HOST:-}" ]]; then
  command -v gcloud >/dev/null || { echo "tests/run.sh: gcloud (with its Firestore emulator) is required" >&2; exit 1; }
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export FIRESTORE_EMULATOR_HOST="127.0.0.1:$port"
  log="${TMPDIR:-/tmp}/callduck-firestore-emulator-$port.log"
  echo "tests/run.sh: starting the Firestore emulator on $FIRESTORE_EMULATOR_HOST (log: $log)"
  setsid gcloud emulators firestore start --host-port="$FIRESTORE_EMULATOR_HOST" --quiet >"$log" 2>&1 &
  emulator_pid=$!
  for _ in $(seq 1 120); do
    if http GET "http://$FIRESTORE_EMULATOR_HOST/"; then break; fi
    if ! kill -0 "$emulator_pid" 2>/dev/null; then echo "the Firestore emulator exited:" >&2; cat "$log" >&2; exit 1; fi
    sleep 1
  done
  http GET "http://$FIRESTORE_EMULATOR_HOST/" || { echo "the Firestore emulator did not start in 120 s:" >&2; cat "$log" >&2; exit 1; }
fi

cargo test --release --workspace

# The README's install step into a temporary root, with the same target directory (so the DuckDB
# build is reused, as the README says), then the installed binary must run and name the commit.
install_root=$(mktemp -d)
cargo install --locked --quiet --path engine --root "$install_root" \
  --target-dir "${CARGO_TARGET_DIR:-$PWD/target}"
installed="$install_root/bin/callduck"
version=$("$installed" --version)
echo "tests/run.sh: installed $installed: $version"
if commit=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  [[ "$version" == *"(commit $commit)"* ]] || { echo "the installed callduck does not name commit $commit" >&2; exit 1; }
fi
"$installed" --db "$install_root/demo.duckdb" --quiet demo --agents 2 --days 7 >/dev/null
"$installed" --db "$install_root/demo.duckdb" check
rm -rf "$install_root"

bash wasm/scripts/test-browser.sh
bash wasm/scripts/test-package.sh
CALLDUCK_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/callduck" bash wasm/scripts/test-dashboard.sh

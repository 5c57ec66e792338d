#!/usr/bin/env bash
# Runs the Playwright journeys against the real server on a fresh SQLite database, with the release site
# (size-optimised wasm). Expects the site to be built (scripts/build-site.sh). The server binary is
# target/release/bazaar, or BAZAAR_BIN: scripts/test.sh passes the debug binary its `cargo test` already built,
# the same code without a second full compile of every crate at -O3 (decision 0014).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${E2E_PORT:-3107}"
WORK="$(mktemp -d)"
export DATABASE_URL="sqlite://${WORK}/e2e.db"
export LEPTOS_SITE_ADDR="127.0.0.1:${PORT}"
export LEPTOS_SITE_ROOT="target/site"
export BASE_URL="http://127.0.0.1:${PORT}"
export SEARCH_DIR="${WORK}/search"
export IMAGE_DIR="${WORK}/images"
export E2E_ADMIN_EMAIL="admin-e2e@example.com"
export E2E_ADMIN_PASSWORD="e2e-admin-$(date +%s)-secret"
export DEV_MAILBOX=true
# The money journey waits out the holding period by moving the shop's clock forward (POST /test/clock).
export TEST_CLOCK=true
# Imports fetch their pictures from this machine in the journeys (never allowed in a real shop).
export PICTURE_FETCH_ALLOW_LOOPBACK=true
export RUST_LOG="${RUST_LOG:-warn,bazaar::access=warn}"

BIN="${BAZAAR_BIN:-target/release/bazaar}"
"$BIN" seed --products 200 --seed 7 >/dev/null
echo "$E2E_ADMIN_PASSWORD" | "$BIN" create-admin --email "$E2E_ADMIN_EMAIL" --name "E2E Admin" >/dev/null

"$BIN" serve >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!
cleanup() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

status=0
(cd end2end && PATH="$PWD/node_modules/.bin:$PATH" npx playwright test "$@") || status=$?
if [ "$status" != 0 ]; then
  echo "---- server log (last 60 lines) ----"
  tail -n 60 "${WORK}/server.log" || true
fi
exit "$status"

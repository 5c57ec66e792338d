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
# The admin orders journey refunds a unit above this, so its password is asked again (the clock moved a day).
export ADMIN_REFUND_CONFIRM_ABOVE=1.00
# Imports fetch their pictures from this machine in the journeys (never allowed in a real shop).
export PICTURE_FETCH_ALLOW_LOOPBACK=true
export RUST_LOG="${RUST_LOG:-warn,bazaar::access=warn}"

BIN="${BAZAAR_BIN:-target/release/bazaar}"
"$BIN" seed --products 200 --seed 7 >/dev/null
# Admins sign in with two-factor codes: the journeys compute them from the secret create-admin prints.
E2E_ADMIN_TOTP_SECRET=$(echo "$E2E_ADMIN_PASSWORD" | "$BIN" create-admin --email "$E2E_ADMIN_EMAIL" --name "E2E Admin" |
  sed -n 's/^two-factor secret: //p')
export E2E_ADMIN_TOTP_SECRET

"$BIN" serve >"${WORK}/server.log" 2>&1 &
SERVER_PID=$!

# The payouts journey's shop: a second one that pays its stores through Stripe Connect, against a local fake of
# Stripe's Connect API (end2end/fake-stripe-connect.mjs; Stripe cannot be reached from here).
CONNECT_PORT=$((PORT + 1))
FAKE_STRIPE_PORT=$((PORT + 2))
export CONNECT_URL="http://127.0.0.1:${CONNECT_PORT}"
export E2E_CONNECT_SECRET="whsec_e2e_connect_$(date +%s)"
CONNECT_SECRET="$E2E_CONNECT_SECRET"
FAKE_STRIPE_PORT="$FAKE_STRIPE_PORT" SHOP_URL="$CONNECT_URL" STRIPE_SECRET_KEY=sk_test_e2e \
  CONNECT_SECRET="$CONNECT_SECRET" node end2end/fake-stripe-connect.mjs >"${WORK}/fake-stripe.log" 2>&1 &
FAKE_STRIPE_PID=$!
(
  export DATABASE_URL="sqlite://${WORK}/connect.db" LEPTOS_SITE_ADDR="127.0.0.1:${CONNECT_PORT}"
  export PUBLIC_URL="$CONNECT_URL" SEARCH_DIR="${WORK}/connect-search" IMAGE_DIR="${WORK}/connect-images"
  export STRIPE_SECRET_KEY=sk_test_e2e STRIPE_WEBHOOK_SECRET=whsec_e2e_payments
  export STRIPE_CONNECT_WEBHOOK_SECRET="$CONNECT_SECRET" STRIPE_API_BASE="http://127.0.0.1:${FAKE_STRIPE_PORT}"
  "$BIN" seed --products 20 --seed 7 >/dev/null
  exec "$BIN" serve
) >"${WORK}/connect.log" 2>&1 &
CONNECT_PID=$!

cleanup() {
  kill "$SERVER_PID" "$CONNECT_PID" "$FAKE_STRIPE_PID" 2>/dev/null || true
  wait "$SERVER_PID" "$CONNECT_PID" "$FAKE_STRIPE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

status=0
(cd end2end && PATH="$PWD/node_modules/.bin:$PATH" npx playwright test "$@") || status=$?
if [ "$status" != 0 ]; then
  echo "---- server log (last 60 lines) ----"
  tail -n 60 "${WORK}/server.log" || true
  echo "---- Connect shop log (last 20 lines) ----"
  tail -n 20 "${WORK}/connect.log" || true
fi
exit "$status"

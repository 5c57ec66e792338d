#!/usr/bin/env bash
# Runs the shop on http://127.0.0.1:3000 with SQLite under ./data/ (no other service needed).
set -euo pipefail
cd "$(dirname "$0")/.."
BAZAAR_SKIP_BROWSER=1 scripts/setup.sh
scripts/build-site.sh
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
# The demo shop shows the mail it sends at /dev/mailbox (no SMTP here). Never set this in production.
export DEV_MAILBOX="${DEV_MAILBOX:-true}"
# Demo data on first start: about 500 products (skipped when the catalog has products).
target/release/bazaar seed --products 500 --if-empty
exec target/release/bazaar serve

#!/usr/bin/env bash
# Runs every test: unit + domain (SQLite and PostgreSQL) + HTTP, the wasm guard, then Playwright journeys.
# The PostgreSQL half runs whenever PostgreSQL answers (BAZAAR_TEST_PG_URL, default the local `test` database)
# and is mandatory when CI is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== cargo test (domain on SQLite + PostgreSQL, server over HTTP, units)"
rm -f target/tmp/postgres-skipped
cargo test --locked 2>&1 | tee target/cargo-test.log
if [ -f target/tmp/postgres-skipped ]; then
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!! The PostgreSQL half of the domain tests was SKIPPED: $(cat target/tmp/postgres-skipped)"
  echo "!! Only SQLite was tested. Start PostgreSQL (or set BAZAAR_TEST_PG_URL) to test both."
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi
echo "== wasm dependency guard"
scripts/check-wasm-deps.sh
echo "== release site (wasm, CSS, files)"
scripts/build-site.sh --frontend-only
echo "== Playwright journeys (Debian Chromium; the server binary cargo test built)"
BAZAAR_BIN=target/debug/bazaar scripts/e2e.sh
echo "== all tests passed"

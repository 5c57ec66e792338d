#!/usr/bin/env bash
# The stall bench (issue 19, item 4): shoppers' product pages, add to cart and checkouts on a quiet shop, then
# while one seller applies a 50,000-row import, runs 12 exports of a 20,000-product store and uploads four
# 36-megapixel pictures, all at once; with the server's resident memory. Release server on a seeded SQLite file.
# Usage: bench/stall.sh. Needs scripts/build-site.sh (release) done.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=3191
WORK="$(mktemp -d)"
export DATABASE_URL="sqlite://${WORK}/bench.db" LEPTOS_SITE_ADDR="127.0.0.1:${PORT}" LEPTOS_SITE_ROOT=target/site
export SEARCH_DIR="${WORK}/search" IMAGE_DIR="${WORK}/images" RUST_LOG=warn
cargo build --release -p server --example stall_bench -q
target/release/bazaar seed --products 2000 --seed 3 >/dev/null
target/release/bazaar demo-accounts >/dev/null
target/release/bazaar reindex >/dev/null
target/release/bazaar serve >"${WORK}/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null && break; sleep 0.1; done
target/release/examples/stall_bench "http://127.0.0.1:${PORT}" "${DATABASE_URL}" "$PID"
echo "server log warnings and errors: $(grep -c -E 'WARN|ERROR' "${WORK}/server.log" || true), by message:"
# Without colours, times and request ids: each distinct message once, with how often it came.
sed -E 's/\x1b\[[0-9;]*m//g; s/^[^ ]+ +//; s/request_id="[^"]*" ?//' "${WORK}/server.log" |
  grep -E '^(WARN|ERROR)' | sort | uniq -c | sort -rn | head -10 || true

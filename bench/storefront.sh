#!/usr/bin/env bash
# Storefront throughput on this machine: a seeded SQLite catalog, the release server, wrk on the same cores.
# Prints requests/s and latency percentiles for: /healthz (the server's cheapest route, through all middleware),
# a product page, a category page, and the search API. Usage: bench/storefront.sh [PRODUCTS] (default 100000).
# Needs: scripts/build-site.sh done, and wrk (Debian package `wrk`).
set -euo pipefail
cd "$(dirname "$0")/.."
PRODUCTS="${1:-100000}"
DURATION="${BENCH_SECONDS:-10}"
PORT=3190
WORK="$(mktemp -d)"
export DATABASE_URL="sqlite://${WORK}/bench.db" LEPTOS_SITE_ADDR="127.0.0.1:${PORT}" LEPTOS_SITE_ROOT=target/site
export RUST_LOG=warn
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
target/release/bazaar seed --products "$PRODUCTS" --seed 3
target/release/bazaar serve >"${WORK}/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null && break; sleep 0.1; done
SLUG="$(curl -fs "http://127.0.0.1:${PORT}/api/v1/products/search?per_page=1&page=500" | sed -E 's/.*"id":([0-9]+).*/\1/')"
SLUG="$(curl -fs "http://127.0.0.1:${PORT}/api/v1/products/${SLUG}" >/dev/null && sqlite3 "${WORK}/bench.db" "SELECT slug FROM products WHERE id=${SLUG}" 2>/dev/null || true)"
run() {
  local name="$1" path="$2"
  local out
  out="$(wrk -t2 -c32 -d"${DURATION}s" --latency "http://127.0.0.1:${PORT}${path}")"
  printf '%-28s %10s req/s   p50 %8s   p99 %8s\n' "$name" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')"
}
echo "products: ${PRODUCTS}, wrk -t2 -c32 -d${DURATION}s on the same 2 cores"
run "GET /healthz" "/healthz"
[ -n "$SLUG" ] && run "GET /p/{slug} (product)" "/p/${SLUG}"
run "GET /c/fashion (category)" "/c/fashion"
run "GET /api/v1/products/search" "/api/v1/products/search?q=lamp&price_max=100"

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
export SEARCH_DIR="${WORK}/search" IMAGE_DIR="${WORK}/images"
cargo build --release -p server --example hello -q
target/release/examples/hello "127.0.0.1:$((PORT + 1))" &
HELLO=$!
target/release/bazaar seed --products "$PRODUCTS" --seed 3
target/release/bazaar reindex
target/release/bazaar serve >"${WORK}/server.log" 2>&1 &
PID=$!
trap 'kill $PID $HELLO 2>/dev/null; wait $PID $HELLO 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null && break; sleep 0.1; done
SLUG="$(curl -fs "http://127.0.0.1:${PORT}/api/v1/products/search?per_page=1&page=500" | sed -E 's/.*"id":([0-9]+).*/\1/')"
SLUG="$(curl -fs "http://127.0.0.1:${PORT}/api/v1/products/${SLUG}" >/dev/null && sqlite3 "${WORK}/bench.db" "SELECT slug FROM products WHERE id=${SLUG}" 2>/dev/null || true)"
run() {
  local name="$1" path="$2" base="${3:-http://127.0.0.1:${PORT}}"
  local out
  out="$(wrk -t2 -c32 -d"${DURATION}s" --latency "${base}${path}")"
  printf '%-28s %10s req/s   p50 %8s   p99 %8s\n' "$name" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')"
}
echo "products: ${PRODUCTS}, wrk -t2 -c32 -d${DURATION}s on the same 2 cores"
run "bare axum hello (baseline)" "/" "http://127.0.0.1:$((PORT + 1))"
run "GET /healthz" "/healthz"
if [ -n "$SLUG" ]; then
  run "GET /p/{slug} (page cache)" "/p/${SLUG}"
  # A query string bypasses the page cache: the uncached render rate.
  run "GET /p/{slug}?r=1 (rendered)" "/p/${SLUG}?r=1"
fi
run "GET /c/fashion (category)" "/c/fashion"
run "GET /search?q=headphnes (typo)" "/search?q=headphnes"
run "API search q=lamp" "/api/v1/products/search?q=lamp&price_max=100"
run "API search q=he (prefix)" "/api/v1/products/search?q=he"
# p99 at 80% of the product page's peak: wrk2-style fixed rate is not available, so -c is lowered until the
# rate is about 80% of the peak measured above (see the closing note for the figures).
for c in 4 8 12 16; do
  out="$(wrk -t2 -c$c -d"${DURATION}s" --latency "http://127.0.0.1:${PORT}/p/${SLUG}")"
  printf '%-28s %10s req/s   p50 %8s   p99 %8s\n' "product page, -c$c" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')"
done

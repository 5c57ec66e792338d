#!/usr/bin/env bash
# LCP of a product page with the wasm islands vs with JavaScript disabled (goal: ratio ≤ 1.05).
# Needs scripts/build-site.sh done. Usage: bench/lcp.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=3192
WORK="$(mktemp -d)"
export DATABASE_URL="sqlite://${WORK}/lcp.db" LEPTOS_SITE_ADDR="127.0.0.1:${PORT}" LEPTOS_SITE_ROOT=target/site
export SEARCH_DIR="${WORK}/search" IMAGE_DIR="${WORK}/images" RUST_LOG=warn
target/release/bazaar seed --products 500 --seed 3 >/dev/null
target/release/bazaar serve >"${WORK}/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null && break; sleep 0.1; done
URL="$(curl -fs "http://127.0.0.1:${PORT}/api/v1/products/search?per_page=1" | sed -E 's/.*"url":"([^"]+)".*/\1/')"
node bench/lcp.mjs "http://127.0.0.1:${PORT}${URL}" "${1:-15}"

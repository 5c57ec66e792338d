#!/usr/bin/env bash
# Product page throughput of two builds in the same run: OLD and NEW release binaries, each on its own SQLite shop
# seeded by itself (same products and seed), served in alternating rounds so a slower moment of the machine falls
# on both; wrk on the same cores. The page is one of the demo products with reviews (the new build shows the rating
# summary, reviews, the wishlist button, "also bought" and "similar" rows; the old one what it showed then).
# Prints each round's requests/s from the page cache and rendered (`?r=1` bypasses the cache) and the NEW/OLD
# ratios: of the sums, and the median of the rounds' ratios.
# Usage: bench/product_ab.sh OLD_BIN NEW_BIN [PRODUCTS] (default 10000). Needs scripts/build-site.sh, wrk, sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD_BIN="$1"
NEW_BIN="$2"
PRODUCTS="${3:-10000}"
DURATION="${BENCH_SECONDS:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
PORT=3193
WORK="$(mktemp -d)"
export LEPTOS_SITE_ADDR="127.0.0.1:${PORT}" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn PRODUCT_VIEWS=false
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
PID=""
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
declare -A BIN=([old]="$OLD_BIN" [new]="$NEW_BIN")
env_of() { echo "DATABASE_URL=sqlite://${WORK}/$1.db SEARCH_DIR=${WORK}/$1-search IMAGE_DIR=${WORK}/$1-images"; }
for build in old new; do
  env $(env_of "$build") "${BIN[$build]}" seed --products "$PRODUCTS" --seed 3 >/dev/null
  env $(env_of "$build") "${BIN[$build]}" reindex >/dev/null
done
# A product the demo gave reviews (the new shop's), the same slug in both shops.
SLUG="$(sqlite3 "${WORK}/new.db" "SELECT p.slug FROM products p WHERE p.status = 'active' \
  AND EXISTS (SELECT 1 FROM reviews r WHERE r.product_id = p.id) ORDER BY p.id LIMIT 1 OFFSET 100")"
[ "$(sqlite3 "${WORK}/old.db" "SELECT COUNT(*) FROM products WHERE slug = '${SLUG}'")" = "1" ] ||
  { echo "the old shop has no product ${SLUG}"; exit 1; }
serve() {
  env $(env_of "$1") "${BIN[$1]}" serve >>"${WORK}/server-$1.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null && return; sleep 0.1; done
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }
rate() { wrk -t2 -c32 -d"${DURATION}s" "http://127.0.0.1:${PORT}$1" | awk '/Requests\/sec/ {print $2}'; }
declare -A cached rendered
ratios_cached=()
ratios_rendered=()
echo "product ${SLUG}; ${PRODUCTS} products; ${ROUNDS} rounds of ${DURATION} s per build and path"
for round in $(seq 1 "$ROUNDS"); do
  for build in old new; do
    serve "$build"
    curl -fs "http://127.0.0.1:${PORT}/p/${SLUG}" >/dev/null
    c="$(rate "/p/${SLUG}")"
    r="$(rate "/p/${SLUG}?r=1")"
    stop
    cached[$build]="$(echo "${cached[$build]:-0} + $c" | bc)"
    rendered[$build]="$(echo "${rendered[$build]:-0} + $r" | bc)"
    printf 'round %d  %-3s  page cache %10s req/s   rendered %8s req/s\n' "$round" "$build" "$c" "$r"
    declare "last_c_${build}=$c" "last_r_${build}=$r"
  done
  ratios_cached+=("$(echo "$last_c_new / $last_c_old" | bc -l)")
  ratios_rendered+=("$(echo "$last_r_new / $last_r_old" | bc -l)")
done
# The median of the rounds' ratios as well as the ratio of the sums: one slow moment of the machine (another
# tenant, say) moves a sum but not a median.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
printf 'new/old: page cache %.3f×, rendered %.3f× (sums); medians of the rounds: page cache %.3f×, rendered %.3f×\n' \
  "$(echo "${cached[new]} / ${cached[old]}" | bc -l)" "$(echo "${rendered[new]} / ${rendered[old]}" | bc -l)" \
  "$(median "${ratios_cached[@]}")" "$(median "${ratios_rendered[@]}")"

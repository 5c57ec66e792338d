#!/usr/bin/env bash
# Product page throughput with view counting on (PRODUCT_VIEWS=true, the default) and off, in the same run — or,
# with SWITCH=ANALYTICS, with the analytics recorder on and off (issue 23: on/off ≥ 0.95×), printing the events it
# wrote per second of load (the sustained ingestion rate):
# a seeded SQLite catalog, the release server restarted for each mode, alternating rounds so a slower moment of the
# machine falls on both, wrk on the same cores. Prints each round's requests/s from the page cache and rendered
# (`?r=1` bypasses the cache), the on/off ratios, and the views the shop wrote (each counted request, once).
# Usage: bench/views.sh [PRODUCTS] (default 10000). Needs scripts/build-site.sh done, wrk and sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
PRODUCTS="${1:-10000}"
DURATION="${BENCH_SECONDS:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
SWITCH="${SWITCH:-PRODUCT_VIEWS}"
PORT=3192
WORK="$(mktemp -d)"
export DATABASE_URL="sqlite://${WORK}/bench.db" LEPTOS_SITE_ADDR="127.0.0.1:${PORT}" LEPTOS_SITE_ROOT=target/site
export RUST_LOG=warn SEARCH_DIR="${WORK}/search" IMAGE_DIR="${WORK}/images"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
cargo build --release -p server -q
target/release/bazaar seed --products "$PRODUCTS" --seed 3 >/dev/null
target/release/bazaar reindex >/dev/null
SLUG="$(sqlite3 "${WORK}/bench.db" "SELECT slug FROM products WHERE status = 'active' ORDER BY id LIMIT 1 OFFSET 500")"
PID=""
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
serve() {
  env "${SWITCH}=$1" target/release/bazaar serve >>"${WORK}/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:${PORT}/readyz" >/dev/null && return; sleep 0.1; done
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }
rate() { wrk -t2 -c32 -d"${DURATION}s" "http://127.0.0.1:${PORT}$1" | awk '/Requests\/sec/ {print $2}'; }
declare -A cached rendered
for round in $(seq 1 "$ROUNDS"); do
  for mode in false true; do
    serve "$mode"
    c="$(rate "/p/${SLUG}")"
    r="$(rate "/p/${SLUG}?r=1")"
    stop
    cached[$mode]="$(echo "${cached[$mode]:-0} + $c" | bc)"
    rendered[$mode]="$(echo "${rendered[$mode]:-0} + $r" | bc)"
    printf 'round %d  %s %-5s  page cache %10s req/s   rendered %8s req/s\n' "$round" "$SWITCH" "$mode" "$c" "$r"
  done
done
printf 'on/off: page cache %.3f×, rendered %.3f×\n' \
  "$(echo "${cached[true]} / ${cached[false]}" | bc -l)" "$(echo "${rendered[true]} / ${rendered[false]}" | bc -l)"
echo "views written: $(sqlite3 "${WORK}/bench.db" "SELECT COALESCE(SUM(views), 0) FROM product_daily_sales")"
if [ "$SWITCH" = ANALYTICS ]; then
  events="$(sqlite3 "${WORK}/bench.db" "SELECT COALESCE(SUM(events), 0) FROM analytics_days")"
  # Loaded seconds with the recorder on: two runs of DURATION per round.
  printf 'analytics events written: %d, %.0f events/s of load\n' "$events" "$(echo "$events / ($ROUNDS * 2 * $DURATION)" | bc -l)"
fi

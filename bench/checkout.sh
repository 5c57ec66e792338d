#!/usr/bin/env bash
# Orders per second through the full domain checkout on SQLite and PostgreSQL, and pgbench's tpcb-like TPS on
# the same machine in the same run (goal: checkout orders/s ≥ 1,000 on SQLite, and ≥ pgbench TPS on PostgreSQL).
# Usage: bench/checkout.sh [ORDERS] [CONCURRENCY]   (PostgreSQL: BAZAAR_BENCH_PG, default the local server)
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS="${1:-2000}"
CONCURRENCY="${2:-16}"
PG="${BAZAAR_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cargo build --release -p domain --example checkout_bench >/dev/null
BIN=target/release/examples/checkout_bench
echo "disk: $(dd if=/dev/zero of="$WORK/dsync" bs=4k count=500 oflag=dsync 2>&1 | tail -1)  (500 synchronous 4 KiB writes)"
"$BIN" "sqlite://${WORK}/checkout.db" "$ORDERS" "$CONCURRENCY" full
"$BIN" "sqlite://${WORK}/checkout-normal.db" "$ORDERS" "$CONCURRENCY" normal
if psql "$PG/postgres" -qAtc 'select 1' >/dev/null 2>&1; then
  psql "$PG/postgres" -qc 'DROP DATABASE IF EXISTS bazaar_checkout_bench' -qc 'CREATE DATABASE bazaar_checkout_bench'
  "$BIN" "$PG/bazaar_checkout_bench" "$ORDERS" "$CONCURRENCY"
  psql "$PG/postgres" -qc 'DROP DATABASE IF EXISTS bazaar_pgbench' -qc 'CREATE DATABASE bazaar_pgbench'
  pgbench -q -i -s 10 "$PG/bazaar_pgbench" >/dev/null 2>&1
  echo "pgbench -b tpcb-like -c $CONCURRENCY -j 2 -T 20:"
  pgbench -b tpcb-like -c "$CONCURRENCY" -j 2 -T 20 "$PG/bazaar_pgbench" 2>/dev/null | grep -E "^tps"
  psql "$PG/postgres" -qc 'DROP DATABASE bazaar_checkout_bench' -qc 'DROP DATABASE bazaar_pgbench'
else
  echo "PostgreSQL not reachable at $PG: skipped"
fi

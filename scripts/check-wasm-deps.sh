#!/usr/bin/env bash
# Guard: the browser bundle must never pull server-only crates.
set -euo pipefail
cd "$(dirname "$0")/.."
tree="$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none --no-dedupe 2>/dev/null | awk '{print $1}' | sort -u)"
bad="$(echo "$tree" | grep -E '^(sqlx|sqlx-core|tokio|mio|tower-sessions|tower-sessions-core|argon2|domain)$' || true)"
if [ -n "$bad" ]; then
  echo "wasm dependency guard FAILED: the frontend pulls server-only crates:"; echo "$bad"; exit 1
fi
echo "wasm dependency guard: ok ($(echo "$tree" | wc -l) crates, none server-only)"

#!/usr/bin/env bash
# Prints the size of the storefront's release wasm and JS glue, raw and brotli-compressed (quality 11, as a CDN
# or a pre-compressing server would serve them). Goal: wasm ≤ 100 KB brotli. Builds the release site first
# unless SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-opt must be npm's binaryen (see scripts/build-site.sh).
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  cargo leptos build --release >/dev/null
fi
node -e '
const fs = require("fs"), zlib = require("zlib");
for (const f of process.argv.slice(1)) {
  const raw = fs.readFileSync(f);
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
  console.log(`${f}: ${raw.length} B raw, ${br.length} B brotli (${(br.length / 1024).toFixed(1)} KiB)`);
}' target/site/pkg/bazaar.wasm target/site/pkg/bazaar.js

#!/usr/bin/env bash
# Builds the release site: the server binary and the size-optimised islands wasm (target/site/pkg).
# Extra arguments go to cargo-leptos: scripts/test.sh passes --frontend-only (the wasm, CSS and files only).
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-opt must be npm's binaryen (Debian's breaks hydration), so its bin dir goes first on PATH.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo leptos build --release --precompress "$@"

#!/usr/bin/env bash
# Installs everything Bazaar needs to build, run and test on a fresh machine.
# Idempotent: every step is skipped when its tool already answers, so it is cheap to run every time.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
LEPTOS_TOOL_RUSTC=1.96.0

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version >/dev/null 2>&1; then
  say "installing cargo-leptos (first time only: about 17 minutes on 2 cores)"
  if ! rustup toolchain list | grep -q "^${LEPTOS_TOOL_RUSTC}"; then
    rustup toolchain install "${LEPTOS_TOOL_RUSTC}" --profile minimal
  fi
  cargo "+${LEPTOS_TOOL_RUSTC}" install cargo-leptos --locked --features no_downloads
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "${WASM_BINDGEN_VERSION}" ]; then
  say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (must equal the crate pinned in Cargo.toml)"
  # Not --locked: the locked webpki-roots version is not on the registry.
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}" --force
fi

if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi

if ! command -v mold >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  # Optional: scripts/linker-gcc uses mold when it is there (links several times faster), else the system linker.
  say "installing mold, a faster linker, from Debian's packages (optional: builds work without it)"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mold >/dev/null; } ||
    say "mold could not be installed: linking with the system linker (slower, same result)"
fi

if [ "${BAZAAR_SKIP_BROWSER:-0}" != "1" ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  say "installing Chromium from Debian's packages (for Playwright)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing end2end npm packages (Playwright, binaryen for wasm-opt)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
say "tools ready"

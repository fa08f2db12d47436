#!/usr/bin/env bash
# Builds the wasm package into pkg/ (wasm-bindgen glue + .wasm optimised by wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
wasm-pack --quiet build --release --target web --no-pack --out-dir pkg --out-name wsinspect "$@"

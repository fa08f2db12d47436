#!/usr/bin/env bash
# `npm start`: set up, build the wasm package and the native server, then serve the inspector.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cargo build --release --quiet --bin wsinspect
exec target/release/wsinspect serve --root . "$@"

#!/usr/bin/env bash
# Builds the wasm package into pkg/ (wasm-bindgen glue + .wasm optimised by wasm-opt):
# Cargo.toml's `wasm` profile, by the pinned toolchain of scripts/wasm-toolchain.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
. scripts/wasm-toolchain.sh
export RUSTUP_TOOLCHAIN="$WASM_TOOLCHAIN"
# OUT_DIR (default pkg) and SIMD=off (a build without simd128, which `npm run bench`
# compares against, into its own CARGO_TARGET_DIR) are for the benchmark.
OUT_DIR=${OUT_DIR:-pkg}
# RUSTFLAGS replaces .cargo/config.toml's flags for wasm32, so simd128 is repeated here.
SIMD_FLAG="-C target-feature=+simd128"
[ "${SIMD:-on}" = off ] && SIMD_FLAG=""
export RUSTFLAGS="$SIMD_FLAG -Zunstable-options -Cpanic=immediate-abort"
wasm-pack --quiet build --profile wasm --target web --no-pack --out-dir "$OUT_DIR" --out-name wsinspect . \
  -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size
# wasm-pack writes pkg/.gitignore ("*"), which would keep npm pack from including
# pkg/snippets/ (the inline JS of src/wasm/decode.rs); the top .gitignore already has /pkg.
rm -f "$OUT_DIR/.gitignore"

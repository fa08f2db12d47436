#!/usr/bin/env bash
# Builds the wasm package into pkg/ (wasm-bindgen glue + .wasm optimised by wasm-opt):
# Cargo.toml's `wasm` and `wasm-fast` profiles, by the pinned toolchain of scripts/wasm-toolchain.sh.
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
# Three modules from one crate. The decoding module (pkg/wsinspect*) is built without the
# `conversation` feature, within its size budget; the conversation module
# (pkg/conversation/, everything including conversations and the text forms people copy
# out of Wireshark) is what the package loads on first use of decodeConversation; the
# command-line module (pkg/cli/, with the `cli` feature: clap and the native CLI's table
# and JSON rendering) is what `npx wsinspect` (js/cli.js) runs.
build() { # profile out-dir out-name cargo-args...
  local profile=$1 dir=$2 name=$3
  shift 3
  wasm-pack --quiet build --profile "$profile" --target web --no-pack --out-dir "$dir" --out-name "$name" . \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size "$@"
  # wasm-pack writes .gitignore ("*"), which would keep npm pack from including the
  # snippets/ folder (the inline JS of src/wasm/decode.rs); the top .gitignore has /pkg.
  rm -f "$dir/.gitignore" "$dir/package.json" "$dir/README.md"
}
rm -rf "$OUT_DIR.conversation" "$OUT_DIR.cli"
# The conversation module is built for speed (Cargo.toml's wasm-fast), the others for size.
build wasm-fast "$OUT_DIR.conversation" wsinspect_conversation --no-default-features --features conversation
build wasm "$OUT_DIR.cli" wsinspect_cli --no-default-features --features cli
build wasm "$OUT_DIR" wsinspect --no-default-features --features api
rm -rf "$OUT_DIR/conversation" "$OUT_DIR/cli"
mv "$OUT_DIR.conversation" "$OUT_DIR/conversation"
mv "$OUT_DIR.cli" "$OUT_DIR/cli"

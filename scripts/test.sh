#!/usr/bin/env bash
# `npm test`: every test layer, in order. A failing layer does not stop the others;
# the run ends with one summary line per layer and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

names=() results=()
# Every layer this script runs, in order (setup and build always run first).
LAYER_NAMES=(fmt clippy clippy-wasm32 doc cargo-test wasm-node wasm-chrome node-tests browser-tests)
# LAYERS="cargo-test browser-tests" npm test runs only those. A name that is not a layer is an
# error: a typo must not run nothing and pass.
only=" ${LAYERS:-} "
for want in ${LAYERS:-}; do
  if [[ " ${LAYER_NAMES[*]} " != *" $want "* ]]; then
    echo "test: unknown layer \"$want\" in LAYERS (layers: ${LAYER_NAMES[*]})" >&2
    exit 2
  fi
done
layer() { # name command...
  local name=$1 start status
  shift
  if [ "$name" != setup ] && [ "$name" != build ] && [[ " ${LAYER_NAMES[*]} " != *" $name "* ]]; then
    echo "test: layer \"$name\" is missing from LAYER_NAMES" >&2
    exit 2
  fi
  if [ "$only" != "  " ] && [ "$name" != setup ] && [ "$name" != build ] && [[ "$only" != *" $name "* ]]; then
    return 0
  fi
  echo
  echo "=== $name: $*"
  start=$(date +%s)
  "$@"
  status=$?
  names+=("$name")
  results+=("$([ $status = 0 ] && echo passed || echo "FAILED (exit $status)") in $(( $(date +%s) - start )) s")
  return $status
}

summary() {
  echo
  echo "=== summary"
  local failed=0 i
  for i in "${!names[@]}"; do
    printf '%-22s %s\n' "${names[$i]}:" "${results[$i]}"
    case "${results[$i]}" in passed*) ;; *) failed=$((failed + 1)) ;; esac
  done
  echo "layers: $(( ${#names[@]} - failed )) passed, $failed failed"
  [ $failed = 0 ]
}

# Setup and the wasm build are prerequisites: without them no later layer means anything.
if ! layer setup bash scripts/setup.sh || ! layer build bash scripts/build.sh; then
  summary; exit 1
fi

layer fmt cargo fmt --all -- --check
layer clippy cargo clippy --all-targets --quiet -- -D warnings
# For wasm32: everything, then each module's own feature set as scripts/build.sh builds it
# (code one module leaves out must not leave the others with dead code).
clippy_wasm32() {
  cargo clippy --all-targets --quiet --target wasm32-unknown-unknown -- -D warnings &&
    for features in api conversation cli; do
      cargo clippy --lib --quiet --target wasm32-unknown-unknown --no-default-features --features "$features" -- -D warnings || return 1
    done
}
layer clippy-wasm32 clippy_wasm32
# The docs, private items too, build without a warning: every intra-doc link resolves. The
# binary's own modules (the server) are documented apart: `cargo doc` skips a binary named as
# its library.
docs() {
  RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --document-private-items --quiet &&
    RUSTDOCFLAGS="-D warnings" cargo rustdoc --bin wsinspect --quiet -- --document-private-items
}
layer doc docs
layer cargo-test cargo test --quiet
layer wasm-node wasm-pack test --node -- --test wasm_node
layer wasm-chrome wasm-pack test --headless --chrome -- --test wasm_browser
layer node-tests node --test --test-reporter=spec tests/node/*.test.js
layer browser-tests node --test --test-reporter=spec --test-concurrency=1 tests/browser/*.test.js
summary

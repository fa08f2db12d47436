# The Rust toolchain that builds the npm package's wasm (sourced by setup.sh and build.sh).
# A pinned nightly, for two things stable Rust cannot do: rebuild the standard library
# optimised for size (-Z build-std) and compile panics to a bare trap
# (-C panic=immediate-abort). Together they take about 12 KB off the gzipped wasm.
# Everything else (cargo test, wasm-pack test, the server and CLI) uses stable.
WASM_TOOLCHAIN=nightly-2026-05-20

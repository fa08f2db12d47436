//! wasm-bindgen tests of the binding, run by `wasm-pack test --node` and
//! `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn accept_key_rfc6455_example() {
    assert_eq!(
        wsinspect::accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

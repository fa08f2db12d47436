//! wasm-bindgen tests of the binding, shared by the Node suite (`wasm_node.rs`) and the
//! browser suite (`wasm_browser.rs`).

use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn accept_key_rfc6455_example() {
    assert_eq!(
        wsinspect::wasm::accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

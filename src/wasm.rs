//! The JavaScript binding: converts between JS values and the core, decides nothing.

use wasm_bindgen::prelude::*;

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2).
#[wasm_bindgen(js_name = acceptKey)]
pub fn accept_key(key: &str) -> String {
    crate::accept_key(key)
}

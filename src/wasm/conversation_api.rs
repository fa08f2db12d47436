//! The conversation module's exports (built with the `conversation` feature: the npm
//! package's second module, loaded on first use): decodeConversation,
//! decodeConversationUtf8 and ConversationDecoder.

use super::conversation;
use super::js::error;
use super::parse_error;
use wasm_bindgen::prelude::*;

/// Decodes a whole conversation: both directions from a text form (Follow TCP Stream
/// output, packet hex dumps) or one direction's bytes. A string is text (anything
/// `parseBytes` reads is accepted too); a `Uint8Array` is bytes, read as a text form when
/// it is one (a dropped file of Follow TCP Stream output). The package's
/// `decodeConversation` passes strings to `decodeConversationUtf8` instead (faster).
#[wasm_bindgen(js_name = decodeConversation)]
pub fn decode_conversation(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    match input.as_string() {
        Some(text) => decode_conversation_text(&text, &options),
        None if input.is_instance_of::<js_sys::Uint8Array>() => {
            let options = conversation::options_from_js(&options)?;
            let bytes = js_sys::Uint8Array::from(input).to_vec();
            Ok(conversation::result_to_js(crate::decode_conversation(
                &bytes, &options,
            )))
        }
        None => Err(error(
            "decodeConversation needs a Uint8Array or a string",
            &[],
        )),
    }
}

/// `decodeConversation` of text given as its UTF-8 bytes: no string step at all.
#[wasm_bindgen(js_name = decodeConversationUtf8)]
pub fn decode_conversation_utf8(utf8: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
    let text = std::str::from_utf8(utf8).map_err(|e| {
        error(
            &format!("the text is not valid UTF-8 at byte {}", e.valid_up_to()),
            &[("offset", Some(e.valid_up_to() as u64))],
        )
    })?;
    decode_conversation_text(text, &options)
}

fn decode_conversation_text(text: &str, options: &JsValue) -> Result<JsValue, JsValue> {
    let options = conversation::options_from_js(options)?;
    let result = crate::decode_conversation_text(text, &options).map_err(|e| parse_error(&e))?;
    Ok(conversation::result_to_js(result))
}

/// A conversation pushed in chunks: `push(direction, chunk, {time, packet})` returns
/// what the chunk completed; `end()` reports unfinished heads and truncated tails.
#[wasm_bindgen(js_name = ConversationDecoder)]
pub struct JsConversationDecoder {
    inner: crate::Conversation,
}

#[wasm_bindgen(js_class = ConversationDecoder)]
impl JsConversationDecoder {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsConversationDecoder, JsValue> {
        Ok(JsConversationDecoder {
            inner: crate::Conversation::new(conversation::options_from_js(&options)?),
        })
    }

    /// Takes the next chunk one side sent ("client" or "server").
    pub fn push(
        &mut self,
        direction: &str,
        chunk: &[u8],
        meta: JsValue,
    ) -> Result<JsValue, JsValue> {
        let direction = conversation::direction_from_js(direction)?;
        let meta = conversation::meta_from_js(&meta)?;
        let out = self.inner.push(direction, chunk, meta);
        Ok(conversation::part_to_js(&out, &self.inner))
    }

    /// Ends both directions.
    pub fn end(&mut self) -> JsValue {
        let out = self.inner.end();
        conversation::part_to_js(&out, &self.inner)
    }
}

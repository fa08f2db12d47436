//! The JavaScript binding: converts between JS values and the core, decides nothing.
//! Every `#[wasm_bindgen]` export lives here; `wasm/js.rs` holds the conversions.

#[cfg(feature = "conversation")]
mod capture_api;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "conversation")]
mod conversation;
#[cfg(feature = "conversation")]
mod conversation_api;
mod decode;
mod js;
#[macro_use]
mod layout;
#[cfg(feature = "api")]
mod records;

#[cfg(feature = "api")]
use crate::encode::{encode_frame as encode_core, FrameSpec, LengthField};
use crate::handshake::{Check, Handshake};
use js::{array, bytes, error, num, or_null, Obj};
#[cfg(feature = "api")]
use js::{bytes_or_text, get, get_bool, get_string, get_uint};
use wasm_bindgen::prelude::*;

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2).
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = acceptKey)]
pub fn accept_key(key: &str) -> String {
    crate::accept_key(key)
}

/// A Sec-WebSocket-Key (base64 of 16 bytes) from a caller's seed.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key(seed: f64) -> String {
    crate::generate_key(seed as u64)
}

/// The hixie-76 16-byte answer to key1, key2 and the 8 bytes of key3.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = hixie76Answer)]
pub fn hixie76_answer(key1: &str, key2: &str, key3: JsValue) -> Result<Vec<u8>, JsValue> {
    let key3 = bytes_or_text(&key3, "key3")?;
    crate::hixie76_answer(key1, key2, &key3)
        .map(|answer| answer.to_vec())
        .map_err(|e| hixie76_error(&e.to_string(), e.offset(), Some(e.key()), e.id()))
}

#[cfg(feature = "api")]
/// A hixie-76 error as a JS `Error`: its message, `offset` where it has one, the `key` it
/// is about where known, and its `id`.
fn hixie76_error(message: &str, offset: Option<usize>, key: Option<&str>, id: &str) -> JsValue {
    let err = error(message, &[("offset", offset.map(|o| o as u64))]);
    if let Some(key) = key {
        let _ = js_sys::Reflect::set(&err, &"key".into(), &key.into());
    }
    let _ = js_sys::Reflect::set(&err, &"id".into(), &id.into());
    err
}

/// The steps of one hixie-76 key: its digits, their number, the spaces and the quotient.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = hixie76KeySteps)]
pub fn hixie76_key_steps(key: &str) -> Result<JsValue, JsValue> {
    let steps = crate::hixie76_key_steps(key)
        .map_err(|e| hixie76_error(&e.to_string(), e.offset(), None, e.id()))?;
    Ok(Obj::new()
        .set("digits", steps.digits.as_str())
        .set("number", steps.number)
        .set("spaces", steps.spaces)
        .set("quotient", steps.quotient)
        .set("part", bytes(&steps.part()))
        .into())
}

/// A valid hixie-76 key1, key2 and key3 from a caller's seed.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = hixie76GenerateKeys)]
pub fn hixie76_generate_keys(seed: f64) -> JsValue {
    let (key1, key2, key3) = crate::hixie76_generate_keys(seed as u64);
    Obj::new()
        .set("key1", key1)
        .set("key2", key2)
        .set("key3", bytes(&key3))
        .into()
}

/// Parses an opening handshake (request or response) and checks every RFC 6455 §4 rule.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = parseHandshake)]
pub fn parse_handshake(input: JsValue) -> Result<JsValue, JsValue> {
    let bytes_in = bytes_or_text(&input, "the handshake")?;
    Ok(handshake_to_js(&crate::parse_handshake(&bytes_in)))
}

/// Checks a request and its response together: the accept key, the subprotocol and
/// extensions picked, the hixie-76 answer.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = checkHandshakePair)]
pub fn check_handshake_pair(request: JsValue, response: JsValue) -> Result<JsValue, JsValue> {
    let request = crate::parse_handshake(&bytes_or_text(&request, "the request")?);
    let response = crate::parse_handshake(&bytes_or_text(&response, "the response")?);
    Ok(array(crate::check_pair(&request, &response), |c| {
        check_to_js(&c)
    }))
}

/// Builds one frame's bytes from a spec; any frame, including broken ones on purpose.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = encodeFrame)]
pub fn encode_frame(spec: JsValue) -> Result<Vec<u8>, JsValue> {
    if !spec.is_object() {
        return Err(error("encodeFrame needs a frame spec object", &[]));
    }
    let masking_key = match get(&spec, "maskingKey") {
        None => None,
        Some(key) => {
            let key = bytes_or_text(&key, "maskingKey")?;
            Some(<[u8; 4]>::try_from(key.as_slice()).map_err(|_| {
                error(
                    &format!("maskingKey must be 4 bytes, got {}", key.len()),
                    &[],
                )
            })?)
        }
    };
    let length_encoding = match get_string(&spec, "lengthEncoding")?.as_deref() {
        None => None,
        Some("7") => Some(LengthField::Bits7),
        Some("16") => Some(LengthField::Bits16),
        Some("64") => Some(LengthField::Bits64),
        Some(other) => {
            return Err(error(
                &format!("lengthEncoding must be \"7\", \"16\" or \"64\", got {other:?}"),
                &[],
            ))
        }
    };
    let payload = match get(&spec, "payload") {
        None => Vec::new(),
        Some(p) => bytes_or_text(&p, "payload")?,
    };
    let opcode =
        get_uint(&spec, "opcode", 15)?.ok_or_else(|| error("opcode is required (0 to 15)", &[]))?;
    Ok(encode_core(&FrameSpec {
        fin: get_bool(&spec, "fin", true)?,
        rsv1: get_bool(&spec, "rsv1", false)?,
        rsv2: get_bool(&spec, "rsv2", false)?,
        rsv3: get_bool(&spec, "rsv3", false)?,
        opcode: opcode as u8,
        masking_key,
        payload,
        length_field: length_encoding,
        declared_length: get_uint(&spec, "declaredLength", u64::MAX >> 11)?,
        compress: get_bool(&spec, "compress", false)?,
    }))
}

/// The payload of a close frame: the code big-endian, then the reason's UTF-8.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = encodeClosePayload)]
pub fn encode_close_payload(code: u16, reason: &str) -> Vec<u8> {
    crate::encode::encode_close_payload(code, reason)
}

fn check_to_js(check: &Check) -> JsValue {
    Obj::new()
        .set("id", check.id.as_str())
        .set("rule", check.rule())
        .set("passed", check.passed)
        .set("message", check.message.as_str())
        .set("rfc", check.rfc)
        .set("offset", or_null(check.offset.map(num)))
        .set("header", or_null(check.header.as_deref()))
        .set("expected", or_null(check.expected.as_deref()))
        .into()
}

fn handshake_to_js(h: &Handshake) -> JsValue {
    let headers = array(&h.headers, |header| {
        Obj::new()
            .set("name", header.name.as_str())
            .set("value", header.value.as_str())
            .set("offset", num(header.offset))
            .set("length", num(header.length))
            .set("valueOffset", num(header.value_offset))
            .set("valueLength", num(header.value_length))
            .into()
    });
    let incomplete = h.incomplete.map(|i| {
        JsValue::from(
            Obj::new()
                .set("offset", num(i.offset))
                .set("needed", or_null(i.needed.map(num))),
        )
    });
    let error_value = h.error.as_ref().map(|e| {
        JsValue::from(
            Obj::new()
                .set("id", e.id.as_str())
                .set("offset", num(e.offset))
                .set("message", e.message.as_str()),
        )
    });
    Obj::new()
        .set("kind", h.kind.as_str())
        .set("generation", h.generation.name())
        .set("generationDescription", h.generation.description())
        .set("complete", h.is_complete())
        .set_opt("method", h.method.as_deref())
        .set_opt("path", h.path.as_deref())
        .set_opt("version", h.version.as_deref())
        .set_opt("status", h.status)
        .set_opt("reason", h.reason.as_deref())
        .set("startLineOffset", num(h.start_line_offset))
        .set("startLineLength", num(h.start_line_length))
        .set("headers", headers)
        .set("headLength", or_null(h.head_length.map(num)))
        .set("trailing", bytes(&h.trailing))
        .set("incomplete", or_null(incomplete))
        .set("error", or_null(error_value))
        .set("checks", array(&h.checks, check_to_js))
        .into()
}

/// Decodes a whole capture: the same result as pushing it in any split and calling `end()`.
#[cfg(feature = "api")]
#[wasm_bindgen]
pub fn decode(bytes: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
    let options = decode::options_from_js(&options)?;
    let out = crate::decode(bytes, options).map_err(decode::extension_error)?;
    Ok(decode::output_to_js(&out))
}

/// Incremental decoding: `push` returns what a chunk completed (offsets absolute in the
/// stream), `end` reports the incomplete tail.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = Decoder)]
pub struct JsDecoder {
    inner: crate::Decoder,
    /// The records of the last push, reused from push to push.
    #[cfg(feature = "api")]
    records: Vec<f64>,
    /// Bytes written by JS through [`JsDecoder::writable`], decoded by `commit`.
    #[cfg(feature = "api")]
    intake: Vec<u8>,
    /// The last push's output, its room reused by the next.
    #[cfg(feature = "api")]
    out: crate::DecodeOutput,
}

#[cfg(feature = "api")]
#[wasm_bindgen(js_class = Decoder)]
impl JsDecoder {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsDecoder, JsValue> {
        let options = decode::options_from_js(&options)?;
        let inner = crate::Decoder::new(options).map_err(decode::extension_error)?;
        Ok(JsDecoder {
            inner,
            #[cfg(feature = "api")]
            records: Vec::new(),
            #[cfg(feature = "api")]
            intake: Vec::new(),
            #[cfg(feature = "api")]
            out: crate::DecodeOutput::default(),
        })
    }

    /// Decodes a chunk (copied into wasm memory once).
    pub fn push(&mut self, chunk: &[u8]) -> JsValue {
        decode::output_to_js(&self.inner.push(chunk))
    }

    /// Ends the stream: reports a truncated frame and a message left open.
    pub fn end(&mut self) -> JsValue {
        decode::output_to_js(&self.inner.end())
    }
}

#[cfg(feature = "api")]
#[wasm_bindgen(js_class = Decoder)]
impl JsDecoder {
    /// `push`, with the results as records (js/records.js reads them): `[records, rare,
    /// ...buffers]`.
    #[wasm_bindgen(js_name = pushRecords)]
    pub fn push_records(&mut self, chunk: &[u8]) -> js_sys::Array {
        self.inner.push_into(chunk, &mut self.out);
        records::to_js(&self.out, &mut self.records)
    }

    /// `end`, with the results as records.
    #[wasm_bindgen(js_name = endRecords)]
    pub fn end_records(&mut self) -> js_sys::Array {
        let out = self.inner.end();
        records::to_js(&out, &mut self.records)
    }

    /// A view of `n` bytes of wasm memory to read input into, decoded by `commitRecords`:
    /// no copy on the way in. The view is valid until the next call on any wasm export (a
    /// call may grow the memory, which detaches it).
    pub fn writable(&mut self, n: usize) -> js_sys::Uint8Array {
        self.intake.clear();
        self.intake.resize(n, 0);
        // SAFETY: the view aliases `intake`, which nothing touches until `commitRecords`
        // or the next `writable`; JS is told the view lasts only until its next wasm call.
        unsafe { js_sys::Uint8Array::view(&self.intake) }
    }

    /// The names JS reads the decoder's records by.
    #[wasm_bindgen(js_name = recordLayout)]
    pub fn record_layout() -> JsValue {
        records::layout()
    }

    /// The field spans of a frame given as its record.
    #[wasm_bindgen(js_name = recordFields)]
    pub fn record_fields(record: &[f64]) -> JsValue {
        records::fields(record)
    }

    /// Decodes the first `n` bytes written into the last `writable` view.
    #[wasm_bindgen(js_name = commitRecords)]
    pub fn commit_records(&mut self, n: usize) -> js_sys::Array {
        let n = n.min(self.intake.len());
        self.inner.push_into(&self.intake[..n], &mut self.out);
        records::to_js(&self.out, &mut self.records)
    }
}

/// A `ParseError` as a JS `Error` with `line`, `column` and `offset`.
fn parse_error(e: &crate::ParseError) -> JsValue {
    error(
        &e.to_string(),
        &[
            ("line", Some(e.line as u64)),
            ("column", Some(e.column as u64)),
            ("offset", Some(e.offset as u64)),
        ],
    )
}

/// Bytes from pasted text given as UTF-8 (hex in its many shapes, base64, escaped text);
/// throws an `Error` with `line`, `column` and `offset` (characters) when the text is bad.
/// The package's `parseBytes(text)` encodes the string with `TextEncoder` (native speed)
/// and calls this: wasm-bindgen's own string passing copies ASCII one character at a time.
#[wasm_bindgen(js_name = parseBytesUtf8)]
pub fn parse_bytes_utf8(utf8: &[u8], format: Option<String>) -> Result<JsValue, JsValue> {
    // simdutf8 (std's answer, at SIMD speed): a pasted capture can be many megabytes.
    let text = simdutf8::compat::from_utf8(utf8).map_err(|e| {
        error(
            &format!("the text is not valid UTF-8 at byte {}", e.valid_up_to()),
            &[("offset", Some(e.valid_up_to() as u64))],
        )
    })?;
    let format = match format.as_deref() {
        None => crate::Format::Auto,
        Some(name) => crate::Format::from_name(name).ok_or_else(|| {
            error(
                &format!(
                    "format must be \"auto\", \"hex\", \"base64\" or \"escaped\", got {name:?}"
                ),
                &[],
            )
        })?,
    };
    let parsed = crate::parse_bytes(text, format).map_err(|e| parse_error(&e))?;
    Ok(Obj::new()
        .set("bytes", bytes(&parsed.bytes))
        .set("format", parsed.format.as_str())
        .set("detail", parsed.detail)
        .into())
}

thread_local! {
    /// Where `parseBytes(text)` encodes its text (TextEncoder.encodeInto straight into wasm
    /// memory: no copy on the way in), kept between calls up to [`TEXT_INTAKE_KEEP`].
    static TEXT_INTAKE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Past this, the text intake is let go after each call.
const TEXT_INTAKE_KEEP: usize = 16 << 20;

/// A view of `n` bytes of wasm memory for `parseTextIntake`: valid until the next call into
/// the module (a call may grow the memory, which detaches it).
#[wasm_bindgen(js_name = textIntake)]
pub fn text_intake(n: usize) -> js_sys::Uint8Array {
    TEXT_INTAKE.with_borrow_mut(|intake| {
        if intake.len() < n {
            intake.resize(n, 0);
        }
        // SAFETY: the view aliases the intake, which nothing touches until
        // `parseTextIntake` or the next `textIntake`; JS uses it before any other call.
        unsafe { js_sys::Uint8Array::view(&intake[..n]) }
    })
}

/// `parseBytesUtf8` of the first `n` bytes written into the last `textIntake` view.
#[wasm_bindgen(js_name = parseTextIntake)]
pub fn parse_text_intake(n: usize, format: Option<String>) -> Result<JsValue, JsValue> {
    let intake = TEXT_INTAKE.with_borrow_mut(std::mem::take);
    let parsed = parse_bytes_utf8(&intake[..n.min(intake.len())], format);
    if intake.len() <= TEXT_INTAKE_KEEP {
        TEXT_INTAKE.set(intake);
    }
    parsed
}

/// The tables behind the page's reference panel: opcodes, close codes, violation ids and
/// handshake rules.
#[cfg(feature = "api")]
#[wasm_bindgen]
pub fn reference() -> JsValue {
    let opcodes = array(crate::OPCODES, |(opcode, meaning)| {
        let code = crate::OpCode::from_u8(opcode);
        Obj::new()
            .set("opcode", opcode)
            .set("name", code.name())
            .set("meaning", meaning)
            .set("control", code.is_control())
            .set("reserved", code.is_reserved())
            .into()
    });
    let close_codes = array(crate::CLOSE_CODES, |(code, name, valid)| {
        Obj::new()
            .set("code", code)
            .set("name", name)
            .set("validOnWire", valid)
            .into()
    });
    let violations = array(crate::ViolationId::ALL, |id| {
        Obj::new()
            .set("id", id.as_str())
            .set("rfc", id.rfc())
            .set("closeCode", or_null(id.close_code()))
            .set("rule", id.rule())
            .into()
    });
    let handshake_rules = array(crate::CheckId::ALL, |id| {
        Obj::new()
            .set("id", id.as_str())
            .set("rfc", id.rfc())
            .set("rule", id.rule())
            .into()
    });
    Obj::new()
        .set("opcodes", opcodes)
        .set("closeCodes", close_codes)
        .set("violations", violations)
        .set("handshakeRules", handshake_rules)
        .into()
}

/// The name of a close code ("normal closure", "registered", "private"), or `undefined`.
#[cfg(feature = "api")]
#[wasm_bindgen(js_name = closeCodeName)]
pub fn close_code_name(code: u16) -> Option<String> {
    crate::close_code_name(code).map(str::to_string)
}

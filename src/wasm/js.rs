//! Small conversions between JS values and Rust values for the binding.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// A plain JS object under construction.
pub struct Obj(Object);

impl Obj {
    pub fn new() -> Self {
        Obj(Object::new())
    }

    /// Sets a property.
    pub fn set(self, key: &'static str, value: impl Into<JsValue>) -> Self {
        self.set_value(key, value.into())
    }

    /// The one out-of-line setter every `set` calls: many call sites, one copy of the code.
    #[inline(never)]
    fn set_value(self, key: &'static str, value: JsValue) -> Self {
        set_property(&self.0, &js_key(key), value);
        self
    }

    /// Sets a property only when there is a value.
    pub fn set_opt<T: Into<JsValue>>(self, key: &'static str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }
}

#[wasm_bindgen(
    inline_js = "export function setProperty(object, key, value) { object[key] = value; }"
)]
extern "C" {
    // A plain assignment: `Reflect::set` goes through wasm-bindgen's error wrapper.
    #[wasm_bindgen(js_name = setProperty)]
    fn set_property(object: &Object, key: &JsValue, value: JsValue);
}

/// A property name as a JS string, made once per name: a key made afresh on every set
/// (its UTF-8 decoded by the glue) was most of a property set's cost in a V8 profile of a
/// capture's reading. The names are the binding's own literals, found by address.
fn js_key(name: &'static str) -> JsValue {
    thread_local! {
        static KEYS: std::cell::RefCell<Vec<(usize, usize, JsValue)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let id = (name.as_ptr() as usize, name.len());
    KEYS.with_borrow_mut(|keys| {
        if let Some((_, _, key)) = keys.iter().find(|(at, len, _)| (*at, *len) == id) {
            return key.clone();
        }
        let key = JsValue::from_str(name);
        keys.push((id.0, id.1, key.clone()));
        key
    })
}

impl From<Obj> for JsValue {
    fn from(obj: Obj) -> JsValue {
        obj.0.into()
    }
}

/// A u64 byte count or offset as a JS number (exact up to 2^53, which no input reaches).
pub fn num(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

/// `value` or `null`.
pub fn or_null<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map_or(JsValue::NULL, Into::into)
}

/// A copy of the bytes as a fresh `Uint8Array` owned by JS.
pub fn bytes(data: &[u8]) -> JsValue {
    Uint8Array::from(data).into()
}

pub fn array<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> JsValue) -> JsValue {
    items.into_iter().map(f).collect::<Array>().into()
}

/// An `Error` with a message and extra numeric properties (offset, line, column, ...).
pub fn error(message: &str, props: &[(&str, Option<u64>)]) -> JsValue {
    let err = js_sys::Error::new(message);
    for (key, value) in props {
        if let Some(v) = value {
            let _ = Reflect::set(&err, &JsValue::from_str(key), &num(*v));
        }
    }
    err.into()
}

/// A property of an options object, `None` when absent, `undefined` or `null`.
pub fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

#[cfg(feature = "api")]
pub fn get_bool(obj: &JsValue, key: &str, default: bool) -> Result<bool, JsValue> {
    match get(obj, key) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| error(&format!("{key} must be a boolean"), &[])),
    }
}

#[cfg(any(feature = "api", feature = "conversation"))]
pub fn get_string(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    match get(obj, key) {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| error(&format!("{key} must be a string"), &[])),
    }
}

/// A non-negative integer property no larger than `max`.
pub fn get_uint(obj: &JsValue, key: &str, max: u64) -> Result<Option<u64>, JsValue> {
    match get(obj, key) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= max as f64 => Ok(Some(n as u64)),
            _ => Err(error(
                &format!("{key} must be an integer from 0 to {max}"),
                &[],
            )),
        },
    }
}

#[cfg(feature = "api")]
/// Bytes from a `Uint8Array` (copied) or a string (its UTF-8 bytes).
pub fn bytes_or_text(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = value.as_string() {
        Ok(s.into_bytes())
    } else if value.is_instance_of::<Uint8Array>() {
        Ok(Uint8Array::from(value.clone()).to_vec())
    } else {
        Err(error(
            &format!("{what} must be a Uint8Array or a string"),
            &[],
        ))
    }
}

//! The tap's action parser (`src/server/actions.rs`, compiled in here as it stands) on
//! arbitrary text, the page's JSON commands: it must never panic; an action it accepts
//! must be one the server can carry out (a ping or close within RFC 6455 §5.5's 125
//! bytes, a close code valid on the wire, a reason only with a code, 1 to 1024 fragments, a
//! message within the action limit, the violation id as sent); the `id` comes back as
//! sent, on errors too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wsinspect::close_code_valid_on_wire;

#[allow(dead_code)]
#[path = "../../src/server/actions.rs"]
mod actions;

use actions::{parse, Action, MAX_ACTION_PAYLOAD, MAX_FRAGMENTS};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sent_id = serde_json::from_str::<Value>(text)
        .ok()
        .map(|v| v.get("id").cloned().unwrap_or(Value::Null));
    match parse(text) {
        Ok(request) => {
            assert_eq!(Some(&request.id), sent_id.as_ref());
            match request.action {
                Action::Ping(payload) => assert!(payload.len() <= 125),
                Action::Send { data, .. } => assert!(data.len() <= MAX_ACTION_PAYLOAD),
                Action::Fragmented { data, frames, .. } => {
                    assert!(data.len() <= MAX_ACTION_PAYLOAD);
                    assert!((1..=MAX_FRAGMENTS).contains(&frames));
                }
                Action::Close { code, reason } => {
                    assert!(code.is_some() || reason.is_empty());
                    assert!(code.is_none_or(close_code_valid_on_wire));
                    assert!(2 + reason.len() <= 125);
                }
                Action::Violation(id) => {
                    let value: Value = serde_json::from_str(text).unwrap();
                    assert_eq!(value.get("violation").and_then(Value::as_str), Some(id.as_str()));
                }
            }
        }
        Err((id, message)) => {
            assert!(!message.is_empty());
            assert_eq!(id, sent_id.unwrap_or(Value::Null));
        }
    }
});

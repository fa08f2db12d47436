//! Actions a page asks of the server over its tap, as JSON text messages.
//!
//! ```text
//! {"id": 1, "action": "ping", "payload": "hi"}              payload optional, at most 125 bytes
//! {"id": 2, "action": "send", "text": "hello"}              or "base64": "AAEC" for binary
//! {"id": 3, "action": "fragmented", "text": "hello", "frames": 3}   or "base64"; 1-1024 frames
//! {"id": 4, "action": "close", "code": 4000, "reason": "bye"}       code optional, valid on the wire
//! {"id": 5, "action": "violation", "violation": "reserved-opcode"}  see `broken::violations()`
//! ```
//!
//! `id` is optional and may be any JSON value; the `done` record answering the action carries
//! it back.

use base64::Engine as _;
use serde_json::Value;
use wsinspect::{close_code_valid_on_wire, MAX_CLOSE_REASON, MAX_CONTROL_PAYLOAD};

/// Most frames a `fragmented` action may split a message into.
pub const MAX_FRAGMENTS: usize = 1024;
/// Largest message an action may carry (the tap is not a bulk channel).
pub const MAX_ACTION_PAYLOAD: usize = 1 << 20;

/// What the server does on the subject connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A ping with this payload; the browser answers with a pong on its own.
    Ping(Vec<u8>),
    /// One message in one frame.
    Send { text: bool, data: Vec<u8> },
    /// One message split into `frames` frames (the first text/binary, then continuations).
    Fragmented {
        text: bool,
        data: Vec<u8>,
        frames: usize,
    },
    /// A close frame; no code means an empty close payload.
    Close { code: Option<u16>, reason: String },
    /// A frame (or frames) that break the rule with this violation id.
    Violation(String),
}

/// An action for the subject connection, asked for over the tap: what [`parse`] makes of a
/// command, and what a tap session hands its subject.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRequest {
    /// Whatever the page sent as `id`, echoed back in the `done` record.
    pub id: Value,
    pub action: Action,
}

/// Parses one tap command; the error is a lowercase sentence for the `done` record.
pub fn parse(text: &str) -> Result<ActionRequest, (Value, String)> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| (Value::Null, format!("not JSON: {e}")))?;
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    parse_action(&value)
        .map(|action| ActionRequest {
            id: id.clone(),
            action,
        })
        .map_err(|e| (id, e))
}

fn parse_action(value: &Value) -> Result<Action, String> {
    let name = value
        .get("action")
        .and_then(Value::as_str)
        .ok_or("missing \"action\"")?;
    match name {
        "ping" => {
            let payload = value
                .get("payload")
                .and_then(Value::as_str)
                .unwrap_or("")
                .as_bytes()
                .to_vec();
            // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
            if payload.len() > MAX_CONTROL_PAYLOAD {
                return Err(format!("ping payload of {} bytes is over {MAX_CONTROL_PAYLOAD} (use the control-frame-too-long violation)", payload.len()));
            }
            Ok(Action::Ping(payload))
        }
        "send" => {
            let (text, data) = message(value)?;
            Ok(Action::Send { text, data })
        }
        "fragmented" => {
            let (text, data) = message(value)?;
            let frames = value
                .get("frames")
                .and_then(Value::as_u64)
                .ok_or("missing \"frames\" (a count)")?;
            if frames == 0 || frames > MAX_FRAGMENTS as u64 {
                return Err(format!(
                    "\"frames\" must be 1 to {MAX_FRAGMENTS}, not {frames}"
                ));
            }
            Ok(Action::Fragmented {
                text,
                data,
                frames: frames as usize,
            })
        }
        "close" => {
            let code = match value.get("code") {
                None | Some(Value::Null) => None,
                Some(code) => {
                    let code = code
                        .as_u64()
                        .filter(|c| *c <= u16::MAX as u64)
                        .ok_or("\"code\" must be a number")?;
                    let code = code as u16;
                    if !close_code_valid_on_wire(code) {
                        return Err(format!("close code {code} is not valid on the wire (use the invalid-close-code violation)"));
                    }
                    Some(code)
                }
            };
            let reason = value
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if code.is_none() && !reason.is_empty() {
                return Err("a close reason needs a code".into());
            }
            // §5.5: control payloads are at most 125 bytes, two of which hold the code.
            if reason.len() > MAX_CLOSE_REASON {
                return Err(format!(
                    "close reason of {} bytes is over {MAX_CLOSE_REASON}",
                    reason.len()
                ));
            }
            Ok(Action::Close { code, reason })
        }
        "violation" => {
            let id = value
                .get("violation")
                .and_then(Value::as_str)
                .ok_or("missing \"violation\" (an id)")?;
            Ok(Action::Violation(id.to_owned()))
        }
        other => Err(format!("unknown action {other:?}")),
    }
}

/// The message of a `send` or `fragmented` action: `text` (UTF-8) or `base64` (binary).
fn message(value: &Value) -> Result<(bool, Vec<u8>), String> {
    let data = match (
        value.get("text").and_then(Value::as_str),
        value.get("base64").and_then(Value::as_str),
    ) {
        (Some(text), None) => (true, text.as_bytes().to_vec()),
        (None, Some(b64)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("\"base64\" is not base64: {e}"))?;
            (false, bytes)
        }
        _ => return Err("give exactly one of \"text\" and \"base64\"".into()),
    };
    if data.1.len() > MAX_ACTION_PAYLOAD {
        return Err(format!(
            "message of {} bytes is over {MAX_ACTION_PAYLOAD}",
            data.1.len()
        ));
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(text: &str) -> Result<Action, String> {
        parse(text).map(|r| r.action).map_err(|(_, e)| e)
    }

    #[test]
    fn each_action_parses() {
        assert_eq!(action(r#"{"action":"ping"}"#), Ok(Action::Ping(vec![])));
        assert_eq!(
            action(r#"{"action":"ping","payload":"hi"}"#),
            Ok(Action::Ping(b"hi".to_vec()))
        );
        assert_eq!(
            action(r#"{"action":"send","text":"é"}"#),
            Ok(Action::Send {
                text: true,
                data: "é".into()
            })
        );
        assert_eq!(
            action(r#"{"action":"fragmented","base64":"AAEC","frames":2}"#),
            Ok(Action::Fragmented {
                text: false,
                data: vec![0, 1, 2],
                frames: 2
            })
        );
        assert_eq!(
            action(r#"{"action":"close","code":4000,"reason":"bye"}"#),
            Ok(Action::Close {
                code: Some(4000),
                reason: "bye".into()
            })
        );
        assert_eq!(
            action(r#"{"action":"close"}"#),
            Ok(Action::Close {
                code: None,
                reason: String::new()
            })
        );
        assert_eq!(
            action(r#"{"action":"violation","violation":"reserved-opcode"}"#),
            Ok(Action::Violation("reserved-opcode".into()))
        );
    }

    #[test]
    fn the_id_comes_back_even_on_error() {
        assert_eq!(
            parse(r#"{"id":"a","action":"ping"}"#).unwrap().id,
            Value::from("a")
        );
        assert_eq!(
            parse(r#"{"id":[1],"action":"dance"}"#).unwrap_err(),
            (serde_json::json!([1]), "unknown action \"dance\"".into())
        );
    }

    #[test]
    fn bad_actions_say_why() {
        let long = "x".repeat(126);
        for (text, says) in [
            ("nope", "not JSON"),
            ("{}", "missing \"action\""),
            (
                &format!(r#"{{"action":"ping","payload":"{long}"}}"#) as &str,
                "over 125",
            ),
            (r#"{"action":"send"}"#, "exactly one"),
            (r#"{"action":"send","base64":"!!"}"#, "not base64"),
            (
                r#"{"action":"fragmented","text":"a","frames":0}"#,
                "1 to 1024",
            ),
            (
                r#"{"action":"fragmented","text":"a"}"#,
                "missing \"frames\"",
            ),
            (r#"{"action":"close","code":1005}"#, "not valid on the wire"),
            (r#"{"action":"close","code":70000}"#, "must be a number"),
            (r#"{"action":"close","reason":"x"}"#, "needs a code"),
            (r#"{"action":"violation"}"#, "missing \"violation\""),
        ] {
            let err = action(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}

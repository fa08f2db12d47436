//! Tap records as JSON text messages: the wire format the page's Live panel reads.
//!
//! One JSON object per WebSocket text message from `/tap`, in the order things happened:
//!
//! ```text
//! {"type":"session","session":"<32 hex digits>","version":1}             always first
//! {"type":"open","conn":1,"t":3.25,"peer":"127.0.0.1:50312","target":"/echo?session=…"}
//! {"type":"bytes","conn":1,"t":3.31,"dir":"in","offset":0,"base64":"R0VUIC9lY2hv…"}
//! {"type":"bytes","conn":1,"t":3.52,"dir":"out","offset":0,"base64":"SFRUUC8xLjEg…"}
//! {"type":"note","conn":1,"t":9.8,"text":"sent close 1002: reserved opcode …"}
//! {"type":"done","conn":1,"t":10.1,"id":7,"ok":true,"text":"sent ping (3 bytes)"}
//! {"type":"done","conn":null,"t":10.2,"id":8,"ok":false,"error":"unknown action \"x\""}
//! {"type":"closed","conn":1,"t":12.0,"reason":"the client closed the connection"}
//! ```
//!
//! - `t`: milliseconds since the tap opened (microsecond precision).
//! - `conn`: the subject connection, numbered from 1 in each session.
//! - `dir`: `in` = read by the server (sent by the browser), `out` = written by the server.
//! - `offset`: bytes of `dir` before this record on this connection; records of one direction
//!   are contiguous, so concatenating them gives the exact stream: the HTTP request (`in`) or
//!   response (`out`) first, then frames exactly as they crossed the socket.

use std::time::Instant;

use base64::Engine as _;
use serde_json::{json, Value};

use super::sessions::Record;

/// Version of this record format, sent in the `session` record.
pub const VERSION: u64 = 1;

/// The first record of every tap.
pub fn session(id: &str) -> String {
    json!({ "type": "session", "session": id, "version": VERSION }).to_string()
}

/// A `done` record for an action that never reached a connection.
pub fn refused(start: Instant, id: Value, error: &str) -> String {
    json!({ "type": "done", "conn": null, "t": millis(start, Instant::now()), "id": id, "ok": false, "error": error })
        .to_string()
}

/// One record as JSON.
pub fn to_json(start: Instant, record: &Record) -> String {
    let value = match record {
        Record::Open {
            conn,
            t,
            peer,
            target,
        } => {
            json!({ "type": "open", "conn": conn, "t": millis(start, *t), "peer": peer, "target": target })
        }
        Record::Bytes {
            conn,
            t,
            dir,
            offset,
            bytes,
        } => json!({
            "type": "bytes",
            "conn": conn,
            "t": millis(start, *t),
            "dir": dir.as_str(),
            "offset": offset,
            "base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
        Record::Note { conn, t, text } => {
            json!({ "type": "note", "conn": conn, "t": millis(start, *t), "text": text })
        }
        Record::Done {
            conn,
            t,
            id,
            result,
        } => match result {
            Ok(text) => {
                json!({ "type": "done", "conn": conn, "t": millis(start, *t), "id": id, "ok": true, "text": text })
            }
            Err(error) => {
                json!({ "type": "done", "conn": conn, "t": millis(start, *t), "id": id, "ok": false, "error": error })
            }
        },
        Record::Closed { conn, t, reason } => {
            json!({ "type": "closed", "conn": conn, "t": millis(start, *t), "reason": reason })
        }
    };
    value.to_string()
}

/// Milliseconds from `start` to `t`, rounded to the microsecond (0 for times before it).
fn millis(start: Instant, t: Instant) -> f64 {
    let micros = t.saturating_duration_since(start).as_micros() as f64;
    micros / 1000.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::sessions::Dir;
    use super::*;

    #[test]
    fn bytes_records_carry_direction_offset_and_base64() {
        let start = Instant::now();
        let t = start + Duration::from_micros(1500);
        let json = to_json(
            start,
            &Record::Bytes {
                conn: 2,
                t,
                dir: Dir::Out,
                offset: 19,
                bytes: b"\x81\x05Hello".to_vec(),
            },
        );
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            v,
            json!({"type":"bytes","conn":2,"t":1.5,"dir":"out","offset":19,"base64":"gQVIZWxsbw=="})
        );
    }

    #[test]
    fn done_records_say_ok_or_error() {
        let start = Instant::now();
        let ok: Value = serde_json::from_str(&to_json(
            start,
            &Record::Done {
                conn: 1,
                t: start,
                id: json!("a"),
                result: Ok("sent".into()),
            },
        ))
        .unwrap();
        assert_eq!(
            (ok["ok"].clone(), ok["text"].clone(), ok["id"].clone()),
            (json!(true), json!("sent"), json!("a"))
        );
        let bad: Value = serde_json::from_str(&refused(start, json!(3), "no subject")).unwrap();
        assert_eq!(
            (bad["ok"].clone(), bad["error"].clone(), bad["conn"].clone()),
            (json!(false), json!("no subject"), Value::Null)
        );
    }

    #[test]
    fn times_before_the_start_are_zero() {
        let start = Instant::now();
        let earlier = start.checked_sub(Duration::from_millis(5)).unwrap_or(start);
        let v: Value = serde_json::from_str(&to_json(
            start,
            &Record::Note {
                conn: 1,
                t: earlier,
                text: "x".into(),
            },
        ))
        .unwrap();
        assert_eq!(v["t"], json!(0.0));
    }
}

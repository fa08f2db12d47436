//! Reports in the Autobahn TestSuite's shapes, so the checks people already run on them
//! keep working: `index.json` (agent → case id → verdicts, duration, remote close code,
//! report file) and one JSON per case with the suite's keys; plus what Autobahn never
//! had: each case's wire decoded by wsinspect (frames with every field, violations at
//! their byte) in the per-case JSON (`wsinspect`) and the HTML report.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::case::{Behavior, Case, Event, Special};
use super::tester::{Observed, Side};
use super::verdict::Verdict;

/// One case's run, everything a report says of it.
#[derive(Debug, Clone)]
pub struct CaseRun {
    pub agent: String,
    pub case: Case,
    /// 1-based number of the case in the run's list.
    pub number: usize,
    pub side: Side,
    /// UTC start, `2026-12-07T02:42:51.174Z`.
    pub started: String,
    /// Milliseconds from the open to the end of TCP.
    pub duration_ms: u64,
    pub verdict: Verdict,
    pub observed: Observed,
    /// The opening handshake's request and response heads, as sent (`None`: not there).
    pub http_request: Option<Vec<u8>>,
    pub http_response: Option<Vec<u8>>,
}

/// `"MyAgent/1.0"` + `"1.1.1"` → `"myagent_1_0_case_1_1_1"` (Autobahn's file names).
pub fn file_stem(agent: &str, id: &str) -> String {
    let lowered: String = agent
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                ' '
            }
        })
        .collect();
    format!(
        "{}_case_{}",
        lowered.trim().replace(' ', "_"),
        id.replace('.', "_")
    )
}

/// An event as Autobahn's reports write it: `["message", text, binary]`, `["pong", text]`,
/// `["timeout", tag]`; a payload over 60 bytes is its first 64 and `" ..."`, and one that
/// is not UTF-8 is `"0x"` and hex.
pub fn event_json(event: &Event) -> Value {
    match event {
        Event::Message { binary, payload } => json!(["message", payload_text(payload), binary]),
        Event::Pong(payload) => json!(["pong", payload_text(payload)]),
        Event::Timeout(tag) => json!(["timeout", tag]),
    }
}

fn payload_text(payload: &[u8]) -> String {
    let long = payload.len() > 60;
    let shown = &payload[..payload.len().min(if long { 64 } else { payload.len() })];
    let mut text = match std::str::from_utf8(shown) {
        Ok(s) => s.to_string(),
        Err(_) => format!("0x{}", crate::bytes::hex::to_hex(shown)),
    };
    if long {
        text.push_str(" ...");
    }
    text
}

/// The per-case JSON: Autobahn's keys, plus `wsinspect` (the decoded wire).
pub fn case_json(run: &CaseRun, decoded: Value) -> Value {
    let o = &run.observed;
    let expected: Map<String, Value> = run
        .case
        .expected
        .iter()
        .map(|(b, events)| {
            (
                b.as_str().to_string(),
                Value::Array(events.iter().map(event_json).collect()),
            )
        })
        .collect();
    let close = &run.case.expected_close;
    let mut expected_close = json!({
        "closedByMe": close.closed_by_me,
        "closeCode": close.codes,
        "requireClean": close.require_clean,
    });
    if close.wrong_endpoint_fatal {
        expected_close["closedByWrongEndpointIsFatal"] = true.into();
    }
    let counts = |m: &BTreeMap<u8, u64>| -> Value {
        m.iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect::<Map<_, _>>()
            .into()
    };
    let compression = matches!(run.case.special, Special::Compression(_));
    let t = &o.traffic;
    let ratio = |ws: u64, app: u64| {
        if app == 0 {
            Value::Null
        } else {
            json!(ws as f64 / app as f64)
        }
    };
    let traffic = if compression && run.verdict.behavior == Behavior::Ok {
        json!({
            "outgoingOctetsAppLevel": t.outgoing_app,
            "outgoingOctetsWebSocketLevel": t.outgoing_websocket,
            "outgoingCompressionRatio": ratio(t.outgoing_websocket, t.outgoing_app),
            "outgoingWebSocketFrames": t.outgoing_frames,
            "outgoingWebSocketMessages": t.outgoing_messages,
            "incomingOctetsAppLevel": t.incoming_app,
            "incomingOctetsWebSocketLevel": t.incoming_websocket,
            "incomingCompressionRatio": ratio(t.incoming_websocket, t.incoming_app),
            "incomingWebSocketFrames": t.incoming_frames,
            "incomingWebSocketMessages": t.incoming_messages,
        })
    } else {
        Value::Null
    };
    let head = |h: &Option<Vec<u8>>| -> Value {
        h.as_ref()
            .map_or("?".into(), |b| String::from_utf8_lossy(b).into_owned())
            .into()
    };
    json!({
        "agent": run.agent,
        "behavior": run.verdict.behavior.as_str(),
        "behaviorClose": run.verdict.behavior_close.as_str(),
        "case": run.number,
        "closedByMe": o.closed_by_me,
        "createStats": true,
        "createWirelog": false,
        "description": run.case.description,
        "droppedByMe": o.dropped_by_me,
        "duration": run.duration_ms,
        "expectation": run.case.expectation,
        "expected": expected,
        "expectedClose": expected_close,
        "failedByMe": o.failed_by_me,
        "httpRequest": head(&run.http_request),
        "httpResponse": head(&run.http_response),
        "id": run.case.id,
        "isServer": run.side == Side::Server,
        "localCloseCode": o.local_close_code,
        "localCloseReason": o.local_close_reason,
        "received": o.received.iter().map(event_json).collect::<Vec<_>>(),
        "remoteCloseCode": o.remote_close_code,
        "remoteCloseReason": o.remote_close_reason,
        "reportCompressionRatio": compression,
        "reportTime": compression || matches!(run.case.special, Special::Performance(_)),
        "result": run.verdict.result,
        "resultClose": run.verdict.result_close,
        "rxFrameStats": counts(&o.rx_frames),
        "started": run.started,
        "trafficStats": traffic,
        "txFrameStats": counts(&o.tx_frames),
        "wasClean": o.was_clean,
        "wasCloseHandshakeTimeout": o.close_handshake_timeout,
        "wasNotCleanReason": o.was_not_clean_reason,
        "wasOpenHandshakeTimeout": false,
        "wasServerConnectionDropTimeout": o.server_drop_timeout,
        "wirelog": [],
        "wsinspect": decoded,
    })
}

/// `index.json`: agent → case id → `{behavior, behaviorClose, duration, remoteCloseCode,
/// reportfile}`.
pub fn index_json(runs: &[CaseRun]) -> Value {
    let mut agents: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for run in runs {
        agents.entry(&run.agent).or_default().insert(
            run.case.id.clone(),
            json!({
                "behavior": run.verdict.behavior.as_str(),
                "behaviorClose": run.verdict.behavior_close.as_str(),
                "duration": run.duration_ms,
                "remoteCloseCode": run.observed.remote_close_code,
                "reportfile": format!("{}.json", file_stem(&run.agent, &run.case.id)),
            }),
        );
    }
    agents
        .into_iter()
        .map(|(a, cases)| (a.to_string(), Value::Object(cases)))
        .collect::<Map<_, _>>()
        .into()
}

/// Whether a case failed: its events verdict, or its close verdict, is FAILED (the close
/// failed when the wrong side closed or the handshake never completed; a wrong close code
/// or an unclean close are reported, as Autobahn's summary shows them, not failed).
pub fn failed(run: &CaseRun) -> bool {
    run.verdict.behavior == Behavior::Failed || run.verdict.behavior_close == Behavior::Failed
}

/// Whether any case failed (the exit status of a run).
pub fn any_failed(runs: &[CaseRun]) -> bool {
    runs.iter().any(failed)
}

/// A case's wire (the opening handshake, then every byte each way with its time), as the
/// conversation model reads it.
pub fn transcript(run: &CaseRun) -> crate::Transcript {
    use crate::{ChunkMeta, DirectedChunk, Direction};
    let chunk = |direction, bytes: Vec<u8>, ms: u64| DirectedChunk {
        direction,
        bytes,
        meta: ChunkMeta {
            time: Some(ms as f64 / 1000.0),
            packet: None,
        },
    };
    let mut chunks = Vec::new();
    if let Some(r) = &run.http_request {
        chunks.push(chunk(Direction::Client, r.clone(), 0));
    }
    if let Some(r) = &run.http_response {
        chunks.push(chunk(Direction::Server, r.clone(), 0));
    }
    for (direction, bytes, ms) in &run.observed.wire {
        chunks.push(chunk(*direction, bytes.clone(), *ms));
    }
    crate::Transcript {
        format: format!("wsinspect conformance, case {}", run.case.id),
        chunks,
        ..crate::Transcript::default()
    }
}

/// The case's wire decoded: the conversation object (JSON, as `wsinspect decode --json`
/// gives it) and its table (as `wsinspect decode` prints it).
pub fn decoded(run: &CaseRun) -> (Value, String) {
    let t = transcript(run);
    let r = crate::decode_transcript(&t, &crate::ConversationOptions::default());
    let mut json_text = Vec::new();
    let mut table = Vec::new();
    let length: usize = t.chunks.iter().map(|c| c.bytes.len()).sum();
    // Writing into memory cannot fail.
    let _ = crate::cli::conversation::write_json(&mut json_text, &r);
    let _ = crate::cli::conversation::write_table(&mut table, length, &r);
    let mut value = serde_json::from_slice(&json_text).unwrap_or(Value::Null);
    cut_long_strings(&mut value);
    (value, String::from_utf8_lossy(&table).into_owned())
}

/// The longest string the decoded JSON keeps (payloads as hex or text): the pcapng beside
/// the report has every byte; reports of groups 9, 12 and 13 would otherwise run to
/// gigabytes.
const LONGEST_STRING: usize = 1024;

fn cut_long_strings(value: &mut Value) {
    match value {
        Value::String(s) if s.len() > LONGEST_STRING => {
            let mut end = LONGEST_STRING;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            let total = s.chars().count();
            s.truncate(end);
            s.push_str(&format!("… ({total} characters in all)"));
        }
        Value::Array(items) => items.iter_mut().for_each(cut_long_strings),
        Value::Object(map) => map.values_mut().for_each(cut_long_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_event_texts_are_autobahns() {
        assert_eq!(file_stem("MyAgent/1.0", "1.1.1"), "myagent_1_0_case_1_1_1");
        assert_eq!(
            file_stem("AutobahnPython/0.10.9", "13.7.1"),
            "autobahnpython_0_10_9_case_13_7_1"
        );
        assert_eq!(event_json(&Event::text("")), json!(["message", "", false]));
        let long = event_json(&Event::binary(vec![0xfe; 125]));
        assert_eq!(long[1], format!("0x{} ...", "fe".repeat(64)));
        assert_eq!(
            event_json(&Event::Pong(b"hi".to_vec())),
            json!(["pong", "hi"])
        );
    }
}

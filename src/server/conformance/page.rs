//! `wsinspect serve`'s `/conformance/`: the conformance server's URLs (Autobahn's
//! `/runCase`, `/getCaseCount`, ... on WebSocket connections, handled by
//! [`super::server::handle`]) and two plain HTTP GETs for the page's Conformance panel:
//!
//! - `/conformance/cases`: the cases, `[{"id", "number", "description", "expectation"}]`.
//! - `/conformance/result?agent=A&case=ID[&after=N][&wait=S]`: the per-case JSON (the
//!   report's, the wire decoded by wsinspect under `wsinspect`) plus `serial` (the
//!   result's number, 1, 2, ... in the order results were kept), `latest` (the last
//!   number given), `wire` (the case's bytes as Follow TCP Stream text) and `inspector`
//!   (the page's fragment that opens them in the Decode panel, null when too large for a
//!   link). `after=N`: only a result newer than number N; `wait=S`: wait up to S seconds
//!   (at most 30) for it. 404 (with `latest`) when there is none.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wsinspect::conformance::report::{case_json, decoded, transcript};
use wsinspect::conformance::report_html::{follow_text, inspector_fragment};

use super::server::{handle, query_pairs, ServerState};

/// The path prefix `wsinspect serve` mounts these under.
pub const PREFIX: &str = "/conformance";

/// The longest wait a result request may ask for.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// One connection to a `/conformance/` path whose head (`bytes[..len]`, then what followed
/// it) was read: a WebSocket upgrade goes to the conformance server, a GET to the JSON.
pub async fn serve(
    mut stream: TcpStream,
    mut bytes: Vec<u8>,
    len: usize,
    upgrade: bool,
    state: Arc<ServerState>,
) {
    if upgrade {
        let leftover = bytes.split_off(len);
        return handle(stream, bytes, leftover, PREFIX, state).await;
    }
    let parsed = wsinspect::parse_handshake(&bytes[..len]);
    let target = parsed.path.clone().unwrap_or_default();
    if parsed.method.as_deref() != Some("GET") {
        return respond(
            &mut stream,
            405,
            &json!({"error": "only GET is served here"}),
        )
        .await;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query_pairs(query);
    match path.strip_prefix(PREFIX).unwrap_or(path) {
        "/cases" => {
            let cases: Vec<_> = state
                .cases
                .iter()
                .enumerate()
                .map(|(i, c)| json!({"id": c.id, "number": i + 1, "description": c.description, "expectation": c.expectation}))
                .collect();
            respond(&mut stream, 200, &json!(cases)).await
        }
        "/result" => {
            let (Some(agent), Some(case)) = (query.get("agent"), query.get("case")) else {
                return respond(
                    &mut stream,
                    400,
                    &json!({"error": "result needs agent and case"}),
                )
                .await;
            };
            let after = query.get("after").and_then(|n| n.parse().ok()).unwrap_or(0);
            let wait = query
                .get("wait")
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map_or(Duration::ZERO, |s| Duration::from_secs_f64(s).min(MAX_WAIT));
            match state.result(agent, case, after, wait).await {
                None => {
                    let why = format!("no result of case {case} for agent {agent} yet");
                    respond(
                        &mut stream,
                        404,
                        &json!({"error": why, "latest": state.latest()}),
                    )
                    .await
                }
                Some((serial, run)) => {
                    let (conversation, _table) = decoded(&run);
                    let mut body = case_json(&run, conversation);
                    body["serial"] = serial.into();
                    body["latest"] = state.latest().into();
                    body["wire"] = follow_text(&transcript(&run)).into();
                    body["inspector"] = inspector_fragment(&run).into();
                    respond(&mut stream, 200, &body).await
                }
            }
        }
        _ => {
            let why = "the paths here are /conformance/cases, /conformance/result and the conformance server's WebSocket URLs";
            respond(&mut stream, 404, &json!({"error": why})).await
        }
    }
}

/// A JSON answer, then the connection ends.
async fn respond(stream: &mut TcpStream, status: u16, body: &serde_json::Value) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err()
        || stream.write_all(body.as_bytes()).await.is_err()
    {
        return;
    }
    let _ = stream.shutdown().await;
    // Whatever the client still sends is read and dropped (bounded), so the close is not
    // a reset that loses the answer.
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

//! `wsinspect serve`'s `/conformance/`: the conformance server's URLs (Autobahn's
//! `/runCase`, `/getCaseCount`, ... on WebSocket connections, handled by
//! [`super::server::handle`]) and two plain HTTP GETs for the page's Conformance panel,
//! answered within the static files' HTTP connections (a page's requests share them):
//!
//! - `/conformance/cases`: the cases, `[{"id", "number", "description", "expectation"}]`.
//! - `/conformance/status`: `{"cases", "latest"}`, the number of cases and of the last
//!   result kept (a page runs cases and waits for results newer than that).
//! - `/conformance/result?agent=A&case=ID[&after=N][&wait=S]`: the per-case JSON (the
//!   report's, the wire decoded by wsinspect under `wsinspect`) plus `serial` (the
//!   result's number, 1, 2, ... in the order results were kept), `latest` (the last
//!   number given), `wire` (the case's bytes as Follow TCP Stream text) and `inspector`
//!   (the page's fragment that opens them in the Decode panel, null when too large for a
//!   link). `after=N`: only a result newer than number N; `wait=S`: wait up to S seconds
//!   (at most 30) for it; `brief`: without the wire and its decoding (`wsinspect` null, no
//!   `wire` nor `inspector`: a verdict row needs none of them, and a case of group 9 has
//!   megabytes). 404 (with `latest`) when there is none.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Response, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use wsinspect::conformance::report::{case_json, decoded, transcript};
use wsinspect::conformance::report_html::{follow_text, inspector_fragment};

use super::server::{handle, query_pairs, ServerState};

/// The path prefix `wsinspect serve` mounts these under.
pub const PREFIX: &str = "/conformance";

/// The longest wait a result request may ask for.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// A WebSocket request to a `/conformance/` path whose head (`bytes[..len]`, then what
/// followed it) was read: the conformance server's.
pub async fn websocket(stream: TcpStream, mut bytes: Vec<u8>, len: usize, state: Arc<ServerState>) {
    let leftover = bytes.split_off(len);
    handle(stream, bytes, leftover, PREFIX, state).await
}

/// The answer to a plain HTTP request for `path` (without its query) when it is under
/// `/conformance/`; `None` for other paths.
pub async fn answer(
    state: &ServerState,
    method: &Method,
    path: &str,
    query: Option<&str>,
) -> Option<Response<Full<Bytes>>> {
    let rest = path.strip_prefix(PREFIX).filter(|r| r.starts_with('/'))?;
    if method != Method::GET {
        return Some(respond(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"error": "only GET is served here"}),
        ));
    }
    let query = query_pairs(query.unwrap_or(""));
    Some(match rest {
        "/cases" => {
            let cases: Vec<Value> = state
                .cases
                .iter()
                .enumerate()
                .map(|(i, c)| json!({"id": c.id, "number": i + 1, "description": c.description, "expectation": c.expectation}))
                .collect();
            respond(StatusCode::OK, &json!(cases))
        }
        "/status" => respond(
            StatusCode::OK,
            &json!({"cases": state.cases.len(), "latest": state.latest()}),
        ),
        "/result" => {
            let (Some(agent), Some(case)) = (query.get("agent"), query.get("case")) else {
                return Some(respond(
                    StatusCode::BAD_REQUEST,
                    &json!({"error": "result needs agent and case"}),
                ));
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
                        StatusCode::NOT_FOUND,
                        &json!({"error": why, "latest": state.latest()}),
                    )
                }
                Some((serial, run)) if query.contains_key("brief") => {
                    let mut body = case_json(&run, Value::Null);
                    body["serial"] = serial.into();
                    body["latest"] = state.latest().into();
                    respond(StatusCode::OK, &body)
                }
                Some((serial, run)) => {
                    let (conversation, _table) = decoded(&run);
                    let mut body = case_json(&run, conversation);
                    body["serial"] = serial.into();
                    body["latest"] = state.latest().into();
                    body["wire"] = follow_text(&transcript(&run)).into();
                    body["inspector"] = inspector_fragment(&run).into();
                    respond(StatusCode::OK, &body)
                }
            }
        }
        _ => {
            let why = "the paths here are /conformance/cases, /conformance/status, /conformance/result and the conformance server's WebSocket URLs";
            respond(StatusCode::NOT_FOUND, &json!({"error": why}))
        }
    })
}

/// A JSON answer.
fn respond(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::from(body.to_string())));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    res
}

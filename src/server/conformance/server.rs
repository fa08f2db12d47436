//! `wsinspect conformance server`: the tester waits for the client under test, which a
//! harness drives through Autobahn's URLs (its fuzzingserver), so the harnesses libraries
//! already have run unchanged:
//!
//! - `/getCaseCount`: one text message, the number of cases; then a close.
//! - `/getCaseInfo?case=N` (or `casetuple=ID`): `{"id": ..., "description": ...}`.
//! - `/runCase?case=N&agent=A` (or `casetuple=ID`): case N (1-based in the selected list)
//!   runs on this connection; its result is kept under agent A.
//! - `/getCaseStatus?case=N&agent=A`: `{"behavior": ...}` once that result exists.
//! - `/updateReports?agent=A`: every result kept so far is written to the report folder.
//! - `/stopServer`: the server stops.
//!
//! A request that names no case or a case that does not exist gets HTTP 500 (as
//! Autobahn's does); a request that is not a WebSocket GET gets 400 or 405.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use wsinspect::conformance::negotiate::server_accept;
use wsinspect::conformance::report::CaseRun;
use wsinspect::conformance::{judge, Case, Side, Special, Tester};
use wsinspect::encode::{encode_frame, FrameSpec};

use super::drive::{case_limit, drive};

/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;

/// A result and its serial number.
type Kept = (u64, CaseRun);

/// What every connection shares.
pub struct ServerState {
    pub cases: Vec<Case>,
    /// Where /updateReports writes the reports (`None`: nowhere, the results stay in
    /// memory, as under `wsinspect serve`).
    pub report: Option<PathBuf>,
    /// Results by agent, then case id (a case run again replaces its result), each with
    /// its serial number (1, 2, ... in the order they were kept).
    results: Mutex<BTreeMap<String, BTreeMap<String, Kept>>>,
    /// The serial number of the last result kept.
    kept: std::sync::atomic::AtomicU64,
    /// Woken when a result is kept (for /getCaseStatus) or the server is to stop.
    changed: Notify,
    stop: Notify,
}

impl ServerState {
    pub fn new(cases: Vec<Case>, report: PathBuf) -> ServerState {
        ServerState {
            report: Some(report),
            ..ServerState::in_memory(cases)
        }
    }

    /// A state whose results are only kept in memory (`wsinspect serve`'s /conformance).
    pub fn in_memory(cases: Vec<Case>) -> ServerState {
        ServerState {
            cases,
            report: None,
            results: Mutex::new(BTreeMap::new()),
            kept: std::sync::atomic::AtomicU64::new(0),
            changed: Notify::new(),
            stop: Notify::new(),
        }
    }

    /// Every result kept, agents and cases in order.
    pub fn runs(&self) -> Vec<CaseRun> {
        let results = self.results.lock().unwrap_or_else(|p| p.into_inner());
        let mut runs: Vec<CaseRun> = results
            .values()
            .flat_map(|m| m.values().map(|(_, run)| run.clone()))
            .collect();
        runs.sort_by(|a, b| (&a.agent, a.case.key()).cmp(&(&b.agent, b.case.key())));
        runs
    }

    /// The serial number of the last result kept (0: none yet).
    pub fn latest(&self) -> u64 {
        self.kept.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The result of case `id` for `agent` kept after serial number `after`, with its
    /// serial number; waits up to `wait` for it.
    pub async fn result(
        &self,
        agent: &str,
        id: &str,
        after: u64,
        wait: Duration,
    ) -> Option<(u64, CaseRun)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let changed = self.changed.notified();
            let found = {
                let results = self.results.lock().unwrap_or_else(|p| p.into_inner());
                results
                    .get(agent)
                    .and_then(|m| m.get(id))
                    .filter(|(serial, _)| *serial > after)
                    .cloned()
            };
            if found.is_some() {
                return found;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return None;
            }
        }
    }

    /// Keeps a result, replacing the one of that agent and case.
    fn keep(&self, run: CaseRun) {
        let mut results = self.results.lock().unwrap_or_else(|p| p.into_inner());
        let serial = self.kept.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        results
            .entry(run.agent.clone())
            .or_default()
            .insert(run.case.id.clone(), (serial, run));
        drop(results);
        self.changed.notify_waiters();
    }
}

/// Listens on `listen` until /stopServer (or the process ends).
pub async fn run(listen: SocketAddr, state: Arc<ServerState>) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    eprintln!(
        "wsinspect conformance server: {} cases on ws://{}/ (runCase, getCaseCount, getCaseInfo, getCaseStatus, updateReports)",
        state.cases.len(),
        listener.local_addr()?
    );
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = Arc::clone(&state);
                tokio::spawn(async move { connection(stream, state).await });
            }
            _ = state.stop.notified() => return Ok(()),
        }
    }
}

/// One connection: its request, then what its path asks for.
pub async fn connection(mut stream: TcpStream, state: Arc<ServerState>) {
    let Some((head, leftover)) = read_head(&mut stream).await else {
        return;
    };
    handle(stream, head, leftover, "", state).await;
}

/// A connection whose request head was read (by `wsinspect serve`, which mounts these
/// URLs under `prefix`, `/conformance`): what its path asks for.
pub async fn handle(
    mut stream: TcpStream,
    head: Vec<u8>,
    leftover: Vec<u8>,
    prefix: &str,
    state: Arc<ServerState>,
) {
    let started = super::utc_now();
    let parsed = wsinspect::parse_handshake(&head);
    let (Some(method), Some(target)) = (parsed.method.as_deref(), parsed.path.clone()) else {
        return reply(&mut stream, 400, "not an HTTP request").await;
    };
    if method != "GET" {
        return reply(&mut stream, 405, "a WebSocket opening handshake is a GET").await;
    }
    let key = parsed
        .headers_named("sec-websocket-key")
        .next()
        .map(|h| h.value.trim().to_string());
    let Some(key) = key else {
        return reply(
            &mut stream,
            400,
            "no Sec-WebSocket-Key: not a WebSocket request",
        )
        .await;
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), query_pairs(q)),
        None => (target.clone(), BTreeMap::new()),
    };
    let path = path.strip_prefix(prefix).unwrap_or(&path).to_string();
    let case_index = |query: &BTreeMap<String, String>| -> Option<usize> {
        if let Some(n) = query.get("case") {
            let n: usize = n.parse().ok()?;
            return (1..=state.cases.len()).contains(&n).then_some(n - 1);
        }
        let id = query.get("casetuple")?.trim();
        state.cases.iter().position(|c| c.id == id)
    };
    // Groups 12 and 13 answer the client's permessage-deflate offers by their rule; every
    // other connection declines any extension.
    let offers: Vec<String> = parsed
        .headers_named("sec-websocket-extensions")
        .map(|h| h.value.trim().to_string())
        .collect();
    let offers = offers.join(", ");
    let response = accept_response(&key, None);
    match path.as_str() {
        "/getCaseCount" => {
            let count = state.cases.len().to_string();
            say(&mut stream, &response, &count).await;
        }
        "/getCaseInfo" => {
            let Some(i) = case_index(&query) else {
                return reply(&mut stream, 500, "no such case").await;
            };
            let case = &state.cases[i];
            let info = serde_json::json!({"id": case.id, "description": short(&case.description)});
            say(&mut stream, &response, &info.to_string()).await;
        }
        "/runCase" => {
            let (Some(i), Some(agent)) = (case_index(&query), query.get("agent")) else {
                return reply(&mut stream, 500, "runCase needs case (or casetuple) and agent").await;
            };
            let case = state.cases[i].clone();
            let agreed = match case.special {
                Special::Compression(c) => match server_accept(c.negotiation, &offers) {
                    Ok(agreed) => agreed,
                    Err(why) => {
                        let why = format!("the permessage-deflate offer is not valid: {why}");
                        return reply(&mut stream, 400, &why).await;
                    }
                },
                _ => None,
            };
            let response = accept_response(&key, agreed.as_deref());
            if stream.write_all(&response).await.is_err() {
                return;
            }
            let limit = case_limit(&case);
            let mut tester = Tester::new(case, Side::Server, super::seed());
            tester.negotiated(agreed.as_deref());
            let _ = stream.set_nodelay(true);
            let duration_ms = drive(&mut tester, stream, &leftover, limit).await;
            let (case, side, observed) = tester.finish();
            let verdict = judge(&case, side, &observed);
            let run = CaseRun {
                agent: agent.clone(),
                case,
                number: i + 1,
                side,
                started,
                duration_ms,
                verdict,
                observed,
                http_request: Some(head),
                http_response: Some(response),
            };
            state.keep(run);
        }
        "/getCaseStatus" => {
            let (Some(i), Some(agent)) = (case_index(&query), query.get("agent")) else {
                return reply(&mut stream, 500, "getCaseStatus needs case (or casetuple) and agent").await;
            };
            let id = state.cases[i].id.clone();
            let behavior = loop {
                let changed = state.changed.notified();
                let found = {
                    let results = state.results.lock().unwrap_or_else(|p| p.into_inner());
                    results
                        .get(agent)
                        .and_then(|m| m.get(&id))
                        .map(|(_, r)| r.verdict.behavior.as_str())
                };
                if let Some(b) = found {
                    break b;
                }
                if tokio::time::timeout(Duration::from_secs(120), changed).await.is_err() {
                    return reply(&mut stream, 500, "no result for that case").await;
                }
            };
            let status = serde_json::json!({ "behavior": behavior });
            say(&mut stream, &response, &status.to_string()).await;
        }
        "/updateReports" => {
            if !query.contains_key("agent") {
                return reply(&mut stream, 500, "updateReports needs agent").await;
            }
            let runs = state.runs();
            if let Some(dir) = &state.report {
                if let Err(e) = super::write_reports(dir, &runs) {
                    eprintln!(
                        "wsinspect conformance server: cannot write the reports in {}: {e}",
                        dir.display()
                    );
                }
            }
            say(&mut stream, &response, "").await;
            if query
                .get("shutdownOnComplete")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes"))
            {
                state.stop.notify_one();
            }
        }
        "/stopServer" => {
            let _ = stream.write_all(&response).await;
            state.stop.notify_one();
        }
        _ => reply(&mut stream, 404, "the paths are /getCaseCount, /getCaseInfo, /runCase, /getCaseStatus, /updateReports and /stopServer").await,
    }
}

/// A description up to its first `<`, its whitespace runs made single spaces (as
/// Autobahn's getCaseInfo gives it).
fn short(description: &str) -> String {
    let cut = description.split('<').next().unwrap_or("");
    cut.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The request head, and bytes read after it.
async fn read_head(stream: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                let rest = head.split_off(i + 4);
                return Some((std::mem::take(&mut head), rest));
            }
            if head.len() > MAX_HEAD {
                return None;
            }
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()
        .flatten()
}

/// `a=b&c=d`, URL-decoded (`+` and `%XX`).
pub(super) fn query_pairs(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (url_decode(k), url_decode(v))
        })
        .collect()
}

fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(())
                {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The 101 answer (RFC 6455 §4.2.2), with the extension agreed (none: any offer declined).
fn accept_response(key: &str, extensions: Option<&str>) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nServer: wsinspect-conformance/{}\r\n\
         Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n{}\r\n",
        env!("CARGO_PKG_VERSION"),
        wsinspect::accept_key(key),
        extensions.map_or(String::new(), |e| format!(
            "Sec-WebSocket-Extensions: {e}\r\n"
        ))
    )
    .into_bytes()
}

/// Opens the WebSocket, sends `text` (nothing when empty) and an empty close, and waits a
/// moment for the client's close before ending TCP.
async fn say(stream: &mut TcpStream, response: &[u8], text: &str) {
    let mut out = response.to_vec();
    if !text.is_empty() {
        out.extend(encode_frame(&FrameSpec::text(text)));
    }
    out.extend(encode_frame(&FrameSpec::close_empty()));
    if stream.write_all(&out).await.is_err() {
        return;
    }
    let mut buf = [0u8; 1024];
    // The client's close (or its end of the connection) ends it.
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
    let _ = stream.shutdown().await;
}

/// An HTTP error answer.
async fn reply(stream: &mut TcpStream, status: u16, why: &str) {
    let reason = match status {
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    };
    let text = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{why}\n",
        why.len() + 1
    );
    let _ = stream.write_all(text.as_bytes()).await;
    let _ = stream.shutdown().await;
}

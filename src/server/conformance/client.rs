//! `wsinspect conformance client URL`: the tester connects to the server under test once
//! per case (Autobahn's fuzzingclient), a few cases at a time.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;
use wsinspect::cli::Upstream;
use wsinspect::conformance::negotiate::client_offer;
use wsinspect::conformance::report::CaseRun;
use wsinspect::conformance::verdict::never_opened;
use wsinspect::conformance::{judge, Case, Side, Special, Tester};

use super::super::upstream::{self, Stream};
use super::drive::{case_limit, drive};
use super::utc_now;

/// How long connecting and the opening handshake may take (Autobahn's openHandshakeTimeout).
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest response head read.
const MAX_HEAD: usize = 16 * 1024;

/// Runs `cases` against `url`, `parallel` at a time; the runs in case order.
pub async fn run(
    url: &Upstream,
    tls: &Arc<ClientConfig>,
    cases: Vec<Case>,
    agent: Option<String>,
    parallel: usize,
) -> Vec<CaseRun> {
    let gate = Arc::new(Semaphore::new(parallel.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, case) in cases.into_iter().enumerate() {
        let gate = Arc::clone(&gate);
        let url = url.clone();
        let tls = Arc::clone(tls);
        let agent = agent.clone();
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            run_case(&url, &tls, case, i + 1, agent).await
        });
    }
    let mut runs = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(run) = done {
            runs.push(run);
        }
    }
    runs.sort_by_key(|r| r.number);
    // One agent name for the whole run: the first server header seen, when not given.
    let name = runs
        .iter()
        .find(|r| !r.agent.is_empty())
        .map(|r| r.agent.clone())
        .unwrap_or_else(|| "UnknownServer".into());
    for r in &mut runs {
        if r.agent.is_empty() {
            r.agent = name.clone();
        }
    }
    runs
}

/// One case on a new connection.
async fn run_case(
    url: &Upstream,
    tls: &Arc<ClientConfig>,
    case: Case,
    number: usize,
    agent: Option<String>,
) -> CaseRun {
    let started = utc_now();
    let key = super::random_key();
    // Groups 12 and 13 offer permessage-deflate; every other case offers nothing.
    let offer = match case.special {
        Special::Compression(c) => Some(client_offer(c.negotiation)),
        _ => None,
    };
    let request = request_head(url, &key, offer.as_deref());
    let opened = tokio::time::timeout(OPEN_TIMEOUT, open(url, tls, &request, &key)).await;
    let (stream, response, leftover) = match opened {
        Ok(Ok(x)) => x,
        Ok(Err((why, response))) => {
            return failed(case, number, agent, started, request, response, &why)
        }
        Err(_) => {
            return failed(
                case,
                number,
                agent,
                started,
                request,
                None,
                "no answer in 5 s",
            )
        }
    };
    let server_header = header(&response, "server");
    let limit = case_limit(&case);
    let mut tester = Tester::new(case, Side::Client, super::seed());
    tester.negotiated(header(&response, "sec-websocket-extensions").as_deref());
    let duration_ms = drive(&mut tester, stream, &leftover, limit).await;
    let (case, side, observed) = tester.finish();
    let verdict = judge(&case, side, &observed);
    CaseRun {
        agent: agent.or(server_header).unwrap_or_default(),
        case,
        number,
        side,
        started,
        duration_ms,
        verdict,
        observed,
        http_request: Some(request),
        http_response: Some(response),
    }
}

fn failed(
    case: Case,
    number: usize,
    agent: Option<String>,
    started: String,
    request: Vec<u8>,
    response: Option<Vec<u8>>,
    why: &str,
) -> CaseRun {
    CaseRun {
        agent: agent.unwrap_or_default(),
        case,
        number,
        side: Side::Client,
        started,
        duration_ms: 0,
        verdict: never_opened(why),
        observed: Default::default(),
        http_request: Some(request),
        http_response: response,
    }
}

/// The opening handshake's request (RFC 6455 §4.1), with the extension offer given.
fn request_head(url: &Upstream, key: &str, offer: Option<&str>) -> Vec<u8> {
    let target = if url.query.is_empty() {
        url.path.clone()
    } else {
        format!("{}?{}", url.path, url.query)
    };
    format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{}\
         User-Agent: wsinspect-conformance/{}\r\n\r\n",
        url.host_header(),
        offer.map_or(String::new(), |o| format!(
            "Sec-WebSocket-Extensions: {o}\r\n"
        )),
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

/// Connects (TLS for wss://) and shakes hands: the stream, the response head, and bytes read
/// after it.
async fn open(
    url: &Upstream,
    tls: &Arc<ClientConfig>,
    request: &[u8],
    key: &str,
) -> Result<(Box<dyn Stream>, Vec<u8>, Vec<u8>), (String, Option<Vec<u8>>)> {
    let (mut stream, _) = upstream::connect(url, tls, OPEN_TIMEOUT)
        .await
        .map_err(|why| (why, None))?;
    stream
        .write_all(request)
        .await
        .map_err(|e| (format!("cannot send the request: {e}"), None))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if head.len() > MAX_HEAD {
            return Err(("the response head is over 16 KiB".into(), Some(head)));
        }
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| (format!("cannot read the response: {e}"), Some(head.clone())))?;
        if n == 0 {
            return Err((
                "the server closed before its response head ended".into(),
                Some(head),
            ));
        }
        head.extend_from_slice(&buf[..n]);
    };
    let leftover = head.split_off(end);
    let parsed = wsinspect::parse_handshake(&head);
    let accepted = head.starts_with(b"HTTP/1.1 101")
        && parsed
            .headers_named("sec-websocket-accept")
            .any(|h| h.value.trim() == wsinspect::accept_key(key));
    if !accepted {
        let line =
            String::from_utf8_lossy(head.split(|&b| b == b'\r').next().unwrap_or(&[])).into_owned();
        return Err((
            format!("the server did not accept the WebSocket: {line}"),
            Some(head),
        ));
    }
    Ok((stream, head, leftover))
}

/// A response header's value, when it has one.
fn header(response: &[u8], name: &str) -> Option<String> {
    wsinspect::parse_handshake(response)
        .headers_named(name)
        .next()
        .map(|h| h.value.trim().to_string())
        .filter(|v| !v.is_empty())
}

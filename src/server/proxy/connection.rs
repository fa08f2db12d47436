//! One client connection: read its head (bounded in size and time), answer the proxy's own
//! endpoints or the page, or pick the route, open the upstream (502 when that fails), forward the head
//! rewritten and relay the rest both ways.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout_at;
use wsinspect::cli::pick_route;
use wsinspect::Direction;

use super::super::head::{read_head, HeadError};
use super::super::reply;
use super::super::request::{is_upgrade, request_target};
use super::super::upstream;
use super::record::Opening;
use super::rewrite::{rewrite_head, Rewrite};
use super::{admin, page, relay, save, State};

/// Serves one client connection to its end.
pub async fn handle(mut stream: TcpStream, peer: SocketAddr, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let limits = &state.limits;
    let deadline = tokio::time::Instant::now() + limits.handshake;
    let head = match timeout_at(deadline, read_head(&mut stream, limits.max_head)).await {
        Err(_) | Ok(Err(HeadError::Closed)) => return,
        Ok(Err(HeadError::TooLarge { max })) => {
            return reply::refuse(&mut stream, &reply::head_too_large(max)).await;
        }
        Ok(Ok(head)) => head,
    };
    let head_bytes = &head.bytes[..head.len];
    let Some(target) = request_target(head_bytes) else {
        let body = "the request line is not METHOD SP /TARGET SP VERSION (RFC 7230 §3.1.1)";
        return reply::refuse(&mut stream, &reply::bad_request(body)).await;
    };
    let full_target = if target.query.is_empty() {
        target.path.to_owned()
    } else {
        format!("{}?{}", target.path, target.query)
    };
    if !is_upgrade(head_bytes) {
        if admin::is_admin_path(target.path) {
            let rest = &head.bytes[head.len..];
            return admin::serve(&mut stream, head_bytes, rest, &state.registry).await;
        }
        return page::serve(&mut stream, head_bytes, state.root.as_deref()).await;
    }
    let Some((route, upstream_target)) = pick_route(&state.routes, &full_target) else {
        let body = format!("no --upstream route for {}", target.path);
        return reply::refuse(&mut stream, &reply::not_found(&body)).await;
    };
    let record = state.registry.open(Opening {
        client: peer,
        upstream: route.upstream.url(),
        path: full_target.clone(),
        upstream_path: upstream_target.clone(),
    });
    let host = route.upstream.host_header();
    let rewrite = Rewrite {
        target: &upstream_target,
        host: (!state.keep_host).then_some(host.as_str()),
        origin: state.origin.as_deref(),
    };
    // Checked by request_target above: the line has its three parts.
    let mut forwarded = rewrite_head(head_bytes, &rewrite).unwrap_or_else(|| head_bytes.to_vec());
    forwarded.extend_from_slice(&head.bytes[head.len..]);
    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
    let within = left.max(state.limits.handshake / 2);
    let reason = match upstream::connect(&route.upstream, &state.tls, within).await {
        Err(why) => {
            // The client's head and the 502 stay in the recording: the page shows why.
            record.add(Direction::Client, &forwarded);
            let answer = reply::refusal(502, "Bad Gateway", &[], &format!("{why}\n"));
            record.add(Direction::Server, &answer);
            reply::refuse(&mut stream, &answer).await;
            format!("502 Bad Gateway: {why}")
        }
        Ok((mut up, addr)) => {
            record.lock().upstream_addr = Some(addr);
            record.add(Direction::Client, &forwarded);
            match up.write_all(&forwarded).await {
                Err(e) => format!("upstream connection failed while writing the head: {e}"),
                Ok(()) => {
                    relay::relay(stream, up, record.clone(), state.limits.idle, &forwarded).await
                }
            }
        }
    };
    record.close(&reason);
    if let Some(dir) = &state.record_dir {
        save::write_to(dir, &record).await;
    }
    state.registry.forget_old();
}

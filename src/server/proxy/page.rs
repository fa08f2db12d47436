//! The inspector page on the proxy's own port: a request without an Upgrade header that is
//! not one of the proxy's endpoints gets the static files (`www/`, `js/`, `pkg/` under the
//! root, as `wsinspect serve` serves them), so one command gives both the relay and the page,
//! and the page reads `/proxy/connections` from its own origin. The same Host rule as the
//! endpoints applies (the page reads the recordings); one request per connection, closed
//! after the answer.

use std::path::Path;

use http_body_util::BodyExt;
use hyper::Method;
use tokio::io::{AsyncRead, AsyncWrite};

use super::super::{reply, static_files};
use super::admin::{host, local_host};

/// Serves one static-file request (its head) and closes.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    head: &[u8],
    root: Option<&Path>,
) {
    let answer = answer(head, root).await;
    reply::refuse(stream, &answer).await;
}

async fn answer(head: &[u8], root: Option<&Path>) -> Vec<u8> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if request.parse(head).is_err() {
        return reply::bad_request("the request head is not HTTP/1.1 (RFC 7230 §3)");
    }
    if !local_host(host(&request)) {
        return reply::refusal(
            403,
            "Forbidden",
            &[],
            "the proxy's page answers a Host that is an IP address or localhost only\n",
        );
    }
    let Some(root) = root else {
        return reply::not_found(
            "wsinspect proxy relays WebSocket requests (with Upgrade: websocket); no www/ was \
             found for its page (pass --root DIR); its recorded connections: GET \
             /proxy/connections",
        );
    };
    let target = request.path.unwrap_or("/");
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    let method =
        Method::from_bytes(request.method.unwrap_or("").as_bytes()).unwrap_or(Method::POST);
    let response = static_files::respond(root, &method, path).await;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let reason = parts.status.canonical_reason().unwrap_or("");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", parts.status.as_u16());
    for (name, value) in &parts.headers {
        if name == hyper::header::CONTENT_LENGTH {
            continue;
        }
        if let Ok(value) = value.to_str() {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    let length = match parts.headers.get(hyper::header::CONTENT_LENGTH) {
        Some(len) if method == Method::HEAD => len.to_str().unwrap_or("0").to_owned(),
        _ => body.len().to_string(),
    };
    // The page tells it is served by a proxy by this mark (its Connections panel appears).
    out.push_str("X-Wsinspect: proxy\r\n");
    out.push_str(&format!(
        "Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    out
}

//! HTTP responses the server writes itself, byte for byte (so the tap can show them): the
//! handshake refusals and the 101 answers.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Most bytes read and thrown away after a refusal, so the peer's unread request does not turn
/// the close into a reset that destroys the refusal before the peer reads it.
const DRAIN_LIMIT: usize = 64 * 1024;

/// Writes a refusal, ends the write side, and drains what the peer still sends (bounded in
/// bytes and time) before the socket is dropped.
pub async fn refuse<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, response: &[u8]) {
    if stream.write_all(response).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let mut drained = 0;
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while drained < DRAIN_LIMIT {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    })
    .await;
}

/// A complete response that closes the connection: status line, headers, a text body.
pub fn refusal(status: u16, reason: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    out.push_str("Connection: close\r\n\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// 431: the head did not end within `max` bytes.
pub fn head_too_large(max: usize) -> Vec<u8> {
    refusal(
        431,
        "Request Header Fields Too Large",
        &[],
        &format!("request head over {max} bytes (RFC 6585 §5)\n"),
    )
}

/// 400 with the broken rule in the body.
pub fn bad_request(body: &str) -> Vec<u8> {
    refusal(400, "Bad Request", &[], &format!("{body}\n"))
}

/// 426 for a Sec-WebSocket-Version this server does not speak.
///
/// RFC 6455 §4.4: "the server MUST ... send back ... the |Sec-WebSocket-Version| header
/// field(s) indicating the version(s) the server is capable of understanding".
pub fn upgrade_required(body: &str) -> Vec<u8> {
    refusal(
        426,
        "Upgrade Required",
        &[("Sec-WebSocket-Version", "13")],
        &format!("{body}\n"),
    )
}

/// 404 for a WebSocket request to a path with no endpoint.
pub fn not_found(body: &str) -> Vec<u8> {
    refusal(404, "Not Found", &[], &format!("{body}\n"))
}

/// 503 when no more tap sessions can be opened.
pub fn unavailable(body: &str) -> Vec<u8> {
    refusal(
        503,
        "Service Unavailable",
        &[("Retry-After", "5")],
        &format!("{body}\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_complete_responses_httparse_reads() {
        for bytes in [
            head_too_large(8192),
            bad_request("x"),
            upgrade_required("y"),
            not_found("z"),
            unavailable("w"),
        ] {
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut res = httparse::Response::new(&mut headers);
            let httparse::Status::Complete(len) = res.parse(&bytes).unwrap() else {
                panic!("partial")
            };
            let declared: usize = res
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
                .unwrap();
            assert_eq!(bytes.len() - len, declared);
        }
        let text = String::from_utf8(upgrade_required("version 8")).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 426 ") && text.contains("\r\nSec-WebSocket-Version: 13\r\n")
        );
    }
}

//! The client's request head as sent upstream: the request target replaced by the route's,
//! `Host` rewritten to the upstream's (unless `--keep-host`), `Origin` to `--origin`'s
//! value when given. Every other byte, header order and case stay as the client sent them,
//! so Sec-WebSocket-Key (and so the upstream's Sec-WebSocket-Accept) is the client's own.

/// What to change in the head.
pub struct Rewrite<'a> {
    /// The request target for the upstream.
    pub target: &'a str,
    /// The Host value, or None to keep the client's.
    pub host: Option<&'a str>,
    /// The Origin value, or None to keep the client's.
    pub origin: Option<&'a str>,
}

/// The head (`\r\n\r\n` included) rewritten; None when its request line has no
/// `METHOD SP TARGET SP VERSION` shape.
pub fn rewrite_head(head: &[u8], with: &Rewrite) -> Option<Vec<u8>> {
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = &head[..line_end];
    // RFC 7230 §3.1.1: "request-line = method SP request-target SP HTTP-version CRLF".
    let first = line.iter().position(|&b| b == b' ')?;
    let last = line.iter().rposition(|&b| b == b' ')?;
    if last <= first {
        return None;
    }
    let mut out = Vec::with_capacity(head.len() + 64);
    out.extend_from_slice(&line[..=first]);
    out.extend_from_slice(with.target.as_bytes());
    out.extend_from_slice(&line[last..]);
    out.extend_from_slice(b"\r\n");
    let mut host_seen = false;
    let fields = &head[line_end + 2..];
    for field in fields.split_inclusive(|&b| b == b'\n') {
        let name_end = field.iter().position(|&b| b == b':');
        let name = name_end.map(|i| &field[..i]);
        let replace = match name {
            Some(n) if n.eq_ignore_ascii_case(b"host") => {
                host_seen = true;
                with.host.map(|v| ("Host", v))
            }
            Some(n) if n.eq_ignore_ascii_case(b"origin") => with.origin.map(|v| ("Origin", v)),
            _ => None,
        };
        match (replace, name) {
            (Some((_, value)), Some(name)) => {
                // The client's spelling of the name stays; only the value changes.
                out.extend_from_slice(name);
                out.extend_from_slice(b": ");
                out.extend_from_slice(value.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            _ if field == b"\r\n" && !host_seen && with.host.is_some() => {
                // RFC 7230 §5.4: "A client MUST send a Host header field in all HTTP/1.1
                // request messages": added when the client sent none.
                out.extend_from_slice(b"Host: ");
                out.extend_from_slice(with.host.unwrap_or_default().as_bytes());
                out.extend_from_slice(b"\r\n\r\n");
            }
            _ => out.extend_from_slice(field),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &[u8] = b"GET /x?a=1 HTTP/1.1\r\nhost: 127.0.0.1:8081\r\nUpgrade: websocket\r\n\
        ORIGIN: http://localhost\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

    #[test]
    fn target_host_and_origin_are_replaced_the_rest_kept() {
        let out = rewrite_head(
            HEAD,
            &Rewrite {
                target: "/feed/x?a=1",
                host: Some("example.com"),
                origin: Some("https://example.com"),
            },
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "GET /feed/x?a=1 HTTP/1.1\r\nhost: example.com\r\nUpgrade: websocket\r\n\
             ORIGIN: https://example.com\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        );
    }

    #[test]
    fn kept_host_changes_only_the_target_and_a_missing_host_is_added() {
        let keep = Rewrite {
            target: "/x?a=1",
            host: None,
            origin: None,
        };
        assert_eq!(rewrite_head(HEAD, &keep).unwrap(), HEAD);
        let out = rewrite_head(
            b"GET / HTTP/1.1\r\nA: b\r\n\r\n",
            &Rewrite {
                target: "/",
                host: Some("h:1"),
                origin: None,
            },
        )
        .unwrap();
        assert_eq!(out, b"GET / HTTP/1.1\r\nA: b\r\nHost: h:1\r\n\r\n");
        assert!(rewrite_head(b"GET\r\n\r\n", &keep).is_none());
    }
}

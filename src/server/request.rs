//! The parts of a request head that routing and the handshake answer read: the request
//! target (path and query), whether an `Upgrade` header is present, and query parameters.
//!
//! Its own module because the router, the WebSocket entry and the handshake answer all read
//! them: each depends on this one, none on another for it.

/// The parts of a request line the router needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Target<'a> {
    pub path: &'a str,
    pub query: &'a str,
}

/// The path and query of `METHOD SP TARGET SP VERSION`, or None if the line has no such shape
/// (hyper then answers it with its own 400).
pub fn request_target(head: &[u8]) -> Option<Target<'_>> {
    let end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..end]).ok()?;
    let mut parts = line.split(' ');
    let (_method, target, _version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !target.starts_with('/') {
        return None;
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Some(Target { path, query })
}

/// Whether the head carries an `Upgrade` header at all (any protocol).
pub fn is_upgrade(head: &[u8]) -> bool {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    req.parse(head).is_ok()
        && req
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("upgrade"))
}

/// The value of `name` in a query string (`a=1&b=2`), without percent-decoding: every value
/// this server reads is a plain token.
pub fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line_gives_path_and_query() {
        assert_eq!(
            request_target(b"GET /echo?session=ab&deflate=0 HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some(Target {
                path: "/echo",
                query: "session=ab&deflate=0"
            })
        );
        assert_eq!(
            request_target(b"GET / HTTP/1.1\r\n\r\n"),
            Some(Target {
                path: "/",
                query: ""
            })
        );
        assert_eq!(request_target(b"GET http://x/ HTTP/1.1\r\n\r\n"), None);
        assert_eq!(request_target(b"GET  / HTTP/1.1\r\n\r\n"), None);
        assert_eq!(request_target(b"\xff\r\n\r\n"), None);
    }

    #[test]
    fn query_params() {
        assert_eq!(query_param("session=ab&deflate=0", "deflate"), Some("0"));
        assert_eq!(query_param("protocol=chat&x", "x"), Some(""));
        assert_eq!(query_param("", "session"), None);
        assert_eq!(query_param("sessions=1", "session"), None);
    }

    #[test]
    fn upgrade_header_is_seen_in_any_case() {
        assert!(is_upgrade(b"GET /x HTTP/1.1\r\nuPgRaDe: websocket\r\n\r\n"));
        assert!(!is_upgrade(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
    }
}

//! The inspector page and the built package over plain HTTP, through hyper: `www/` at `/`,
//! `js/` at `/js/`, `pkg/` at `/pkg/`, with correct types and a CSP that allows no inline script;
//! and the conformance panel's JSON under `/conformance/` ([`super::conformance::page`]).

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};

use super::conformance::page;
use super::conformance::server::ServerState;

/// No inline script, no eval except WebAssembly compilation; sockets to any ws:/wss: origin
/// (the Live panel may talk to another server than this one).
pub const CONTENT_SECURITY_POLICY_VALUE: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     worker-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:";

/// URL prefix to directory under the root, longest prefix first.
const MOUNTS: [(&str, &str); 3] = [("/js/", "js"), ("/pkg/", "pkg"), ("/", "www")];

/// Serves one HTTP/1.1 connection (keep-alive included) with the static files.
/// `max_head` is the server's one head limit: the head has already been read within it
/// (longer got 431), and hyper's buffer is sized to hold it (hyper takes 8 KiB at least).
pub async fn serve<S>(
    io: S,
    root: Arc<PathBuf>,
    conformance: Arc<ServerState>,
    header_timeout: Duration,
    max_head: usize,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let root = root.clone();
        let conformance = conformance.clone();
        async move {
            let (method, uri) = (req.method(), req.uri());
            let answer = match page::answer(&conformance, method, uri.path(), uri.query()).await {
                Some(answer) => answer,
                None => respond(&root, method, uri.path()).await,
            };
            Ok::<_, Infallible>(answer)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(max_head.saturating_add(1024).max(8192))
        .serve_connection(TokioIo::new(io), service)
        .await;
}

/// The response for a request to `path` (already without its query).
pub async fn respond(root: &Path, method: &Method, path: &str) -> Response<Full<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        let mut res = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are served here\n",
        );
        res.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let Some(file) = resolve(root, path) else {
        return text(
            StatusCode::NOT_FOUND,
            &format!("not found: {}\n", printable(path)),
        );
    };
    match tokio::fs::read(&file).await {
        Ok(body) => {
            let len = body.len();
            let body = if method == Method::HEAD {
                Bytes::new()
            } else {
                Bytes::from(body)
            };
            let mut res = Response::new(Full::new(body));
            let headers = res.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
            headers.insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(len));
            add_common_headers(headers);
            res
        }
        Err(_) => text(
            StatusCode::NOT_FOUND,
            &format!("not found: {}\n", printable(path)),
        ),
    }
}

/// The file a URL path names, or None when it names none or tries to leave its mount.
pub fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let (prefix, dir) = MOUNTS
        .iter()
        .find(|(prefix, _)| decoded.starts_with(prefix))?;
    let rest = &decoded[prefix.len()..];
    let mut file = root.join(dir);
    for part in rest.split('/') {
        if part.is_empty() {
            continue;
        }
        // Only plain names: no `..`, no `.`, no drive letters or backslashes.
        let mut components = Path::new(part).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(name)), None)
                if !part.contains('\\') && !part.starts_with('.') =>
            {
                file.push(name)
            }
            _ => return None,
        }
    }
    if decoded.ends_with('/') {
        file.push("index.html");
    }
    Some(file)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    (!s.contains('\0')).then_some(s)
}

/// The Content-Type for a file, by its extension.
pub fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" | "ts" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn add_common_headers(headers: &mut hyper::HeaderMap) {
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::from(body.to_owned())));
    *res.status_mut() = status;
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    add_common_headers(res.headers_mut());
    res
}

/// A path as it may be echoed in a text body: control characters escaped, bounded length.
fn printable(path: &str) -> String {
    path.chars()
        .take(200)
        .flat_map(char::escape_debug)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_map_to_directories() {
        let root = Path::new("r");
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("r/www/index.html")));
        assert_eq!(
            resolve(root, "/app.js"),
            Some(PathBuf::from("r/www/app.js"))
        );
        assert_eq!(
            resolve(root, "/js/index.js"),
            Some(PathBuf::from("r/js/index.js"))
        );
        assert_eq!(
            resolve(root, "/pkg/wsinspect_bg.wasm"),
            Some(PathBuf::from("r/pkg/wsinspect_bg.wasm"))
        );
        assert_eq!(
            resolve(root, "/a%20b.js"),
            Some(PathBuf::from("r/www/a b.js"))
        );
    }

    #[test]
    fn paths_that_leave_their_mount_are_refused() {
        let root = Path::new("r");
        for bad in [
            "/../Cargo.toml",
            "/js/../src/lib.rs",
            "/%2e%2e/Cargo.toml",
            "/a\\..\\b",
            "/.git/config",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(resolve(root, bad), None, "{bad}");
        }
    }

    #[test]
    fn wasm_has_its_own_type() {
        assert_eq!(
            content_type(Path::new("pkg/wsinspect_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(
            content_type(Path::new("www/app.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.unknown")),
            "application/octet-stream"
        );
    }
}

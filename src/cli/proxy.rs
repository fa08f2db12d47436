//! `wsinspect proxy`'s flags: the upstream routes, the head rewrites, trust, recording and
//! the limits. Parsed and checked here (so `--help` reads the same wherever it is printed);
//! the relay itself is the native binary's (src/server/proxy/).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::serve::{seconds, Limits};

/// Most bytes kept of one connection's recording by default; past it the recording stops
/// with a "recording truncated" mark while the relay goes on.
pub const DEFAULT_MAX_RECORDING: usize = 64 * 1024 * 1024;

/// Most bytes of recordings kept across closed connections by default: with each open
/// connection's cap, what bounds the proxy's memory.
pub const DEFAULT_MAX_KEPT: usize = 1024 * 1024 * 1024;

/// `wsinspect proxy` flags.
#[derive(Debug, Clone, Args)]
pub struct ProxyArgs {
    /// Where to relay WebSocket connections: ws://HOST:PORT/PATH or wss://HOST:PORT/PATH
    /// (port and path optional), or PREFIX=URL to send request paths under PREFIX there (repeat for several routes; a bare URL is the
    /// route for "/"). The longest matching prefix wins; the prefix is replaced by the URL's
    /// path. Clients never choose the upstream.
    #[arg(long, required = true, value_name = "[PREFIX=]URL")]
    pub upstream: Vec<String>,
    /// Address to listen on; anything beyond loopback prints a warning.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// Directory holding www/, js/ and pkg/ for the inspector page served on the same port
    /// [default: the nearest parent of the current directory (or of the executable) that
    /// has www/index.html]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Forward the client's Host header unchanged (default: rewritten to the upstream's).
    #[arg(long)]
    pub keep_host: bool,
    /// Rewrite the client's Origin header to this value (for servers that check it).
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// PEM file of certificates to trust for wss:// upstreams, besides the built-in roots
    /// (webpki-roots, Mozilla's list). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<PathBuf>,
    /// Skip verifying wss:// upstream certificates (anyone on the path can read and change
    /// the traffic). Prints a warning.
    #[arg(long)]
    pub insecure: bool,
    /// Write each connection to DIR/ID.pcapng when it ends (ID as in /proxy/connections).
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// Most bytes recorded per connection; the relay goes on past it, unrecorded.
    #[arg(long, default_value_t = DEFAULT_MAX_RECORDING)]
    pub max_recording: usize,
    /// Most closed connections kept in memory for /proxy/connections (oldest dropped).
    #[arg(long, default_value_t = 256)]
    pub keep_closed: usize,
    /// Most bytes of recordings kept in memory across closed connections (oldest dropped).
    #[arg(long, default_value_t = DEFAULT_MAX_KEPT)]
    pub max_kept: usize,
    /// Largest request head in bytes; longer gets 431.
    #[arg(long, default_value_t = Limits::default().max_head)]
    pub max_head: usize,
    /// Seconds both sides may stay silent before the proxy closes the connection.
    #[arg(long, default_value_t = Limits::default().idle.as_secs_f64())]
    pub idle_timeout: f64,
    /// Seconds a client has to send its head, and the upstream to accept TCP and TLS.
    #[arg(long, default_value_t = Limits::default().handshake.as_secs_f64())]
    pub handshake_timeout: f64,
    /// Most connections relayed at once (more wait in the listen queue).
    #[arg(long, default_value_t = Limits::default().max_connections)]
    pub max_connections: usize,
}

/// An upstream URL, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// `wss://` (TLS) or `ws://`.
    pub secure: bool,
    /// The host as written (a name, an IPv4 address, or an IPv6 address without brackets).
    pub host: String,
    pub port: u16,
    /// The path, starting with `/`, without the query.
    pub path: String,
    /// The query, without `?` (may be empty).
    pub query: String,
}

impl Upstream {
    /// `host` or `host:port` as a Host header carries it (RFC 7230 §5.4: "the host and
    /// port information from the target URI"; the port left out when it is the scheme's
    /// default).
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default = if self.secure { 443 } else { 80 };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// The URL again, in its normal form.
    pub fn url(&self) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let query = if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", self.query)
        };
        format!("{scheme}://{host}:{}{}{query}", self.port, self.path)
    }
}

/// One `--upstream`: request paths under `prefix` go to `upstream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Starts with `/`; matched on whole path segments.
    pub prefix: String,
    pub upstream: Upstream,
}

/// Everything the proxy needs beyond the listen address, checked.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    pub routes: Vec<Route>,
    pub limits: Limits,
}

/// Reads `ws[s]://host[:port][/path][?query]`, or says what is wrong with it.
pub fn parse_upstream(url: &str) -> Result<Upstream, String> {
    let bad = |why: &str| format!("wsinspect: --upstream {url}: {why}");
    let (secure, rest) = if let Some(rest) = url.strip_prefix("wss://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("ws://") {
        (false, rest)
    } else {
        return Err(bad("the URL must start with ws:// or wss://"));
    };
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad("user information in the URL is not supported"));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("an IPv6 address needs its closing ]"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port = match port {
        None => {
            if secure {
                443
            } else {
                80
            }
        }
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&p| p != 0)
            .ok_or_else(|| bad("the port must be a number from 1 to 65535"))?,
    };
    if target.contains('#') {
        return Err(bad("a WebSocket URI has no fragment (RFC 6455 §3)"));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = if path.is_empty() { "/" } else { path };
    Ok(Upstream {
        secure,
        host: host.to_owned(),
        port,
        path: path.to_owned(),
        query: query.to_owned(),
    })
}

/// Reads one `--upstream` value: `URL` (the route for "/") or `PREFIX=URL`.
pub fn parse_route(value: &str) -> Result<Route, String> {
    let (prefix, url) = match value.split_once('=') {
        Some((prefix, url)) if prefix.starts_with('/') => (prefix, url),
        Some((prefix, _)) if !prefix.contains("://") => {
            return Err(format!(
                "wsinspect: --upstream {value}: the route prefix must start with /"
            ))
        }
        _ => ("/", value),
    };
    let prefix = match prefix.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    Ok(Route {
        prefix: prefix.to_owned(),
        upstream: parse_upstream(url)?,
    })
}

impl ProxyArgs {
    /// The routes and limits the flags ask for, or the message saying which flag is wrong.
    pub fn settings(&self) -> Result<ProxySettings, String> {
        let mut routes = Vec::new();
        for value in &self.upstream {
            let route = parse_route(value)?;
            if routes.iter().any(|r: &Route| r.prefix == route.prefix) {
                return Err(format!(
                    "wsinspect: --upstream {value}: the prefix {} has a route already",
                    route.prefix
                ));
            }
            routes.push(route);
        }
        let ceiling = crate::handshake::MAX_HEAD_CEILING;
        if self.max_head > ceiling {
            return Err(format!(
                "wsinspect: --max-head must be at most {ceiling} bytes, not {}",
                self.max_head
            ));
        }
        let limits = Limits {
            max_head: self.max_head.max(64),
            idle: seconds("idle-timeout", self.idle_timeout)?,
            handshake: seconds("handshake-timeout", self.handshake_timeout)?,
            max_connections: self.max_connections.max(1),
            ..Limits::default()
        };
        Ok(ProxySettings { routes, limits })
    }
}

/// The route for a request path: the longest prefix that matches whole segments
/// (`/api` matches `/api` and `/api/x`, not `/apix`), and the upstream request target.
pub fn pick_route<'a>(routes: &'a [Route], target: &str) -> Option<(&'a Route, String)> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let route = routes
        .iter()
        .filter(|r| {
            r.prefix == "/"
                || path == r.prefix
                || path
                    .strip_prefix(r.prefix.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|r| r.prefix.len())?;
    let rest = if route.prefix == "/" {
        path
    } else {
        &path[route.prefix.len()..]
    };
    let base = route.upstream.path.trim_end_matches('/');
    let mut out = match (base, rest) {
        ("", "") => "/".to_owned(),
        (base, "") | (base, "/") if !base.is_empty() => base.to_owned(),
        (base, rest) => format!("{base}{rest}"),
    };
    let queries: Vec<&str> = [route.upstream.query.as_str(), query]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect();
    if !queries.is_empty() {
        out.push('?');
        out.push_str(&queries.join("&"));
    }
    Some((route, out))
}

#[cfg(test)]
mod tests {
    use super::super::{Cli, Command};
    use super::*;
    use clap::Parser;

    fn routes(values: &[&str]) -> Vec<Route> {
        values.iter().map(|v| parse_route(v).unwrap()).collect()
    }

    #[test]
    fn upstream_urls_are_read_with_default_ports() {
        let u = parse_upstream("wss://example.com/feed?x=1").unwrap();
        assert_eq!(
            (
                u.secure,
                u.host.as_str(),
                u.port,
                u.path.as_str(),
                u.query.as_str()
            ),
            (true, "example.com", 443, "/feed", "x=1")
        );
        assert_eq!(u.host_header(), "example.com");
        let u = parse_upstream("ws://[::1]:9000").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("::1", 9000, "/")
        );
        assert_eq!(u.host_header(), "[::1]:9000");
        for bad in [
            "http://a/",
            "ws://",
            "ws://a:0/",
            "ws://a:x/",
            "ws://u@a/",
            "ws://a/#f",
        ] {
            assert!(parse_upstream(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn longest_whole_segment_prefix_wins() {
        let r = routes(&["ws://a/root", "/api=ws://b:81/v1/", "/api/live=wss://c/"]);
        let pick = |t: &str| pick_route(&r, t).map(|(r, t)| (r.upstream.host.clone(), t));
        assert_eq!(pick("/"), Some(("a".into(), "/root".into())));
        assert_eq!(pick("/x?q=1"), Some(("a".into(), "/root/x?q=1".into())));
        assert_eq!(pick("/api"), Some(("b".into(), "/v1".into())));
        assert_eq!(pick("/api/x"), Some(("b".into(), "/v1/x".into())));
        assert_eq!(pick("/apix"), Some(("a".into(), "/root/apix".into())));
        assert_eq!(pick("/api/live/9"), Some(("c".into(), "/9".into())));
        let only_api = routes(&["/api=ws://b/"]);
        assert!(pick_route(&only_api, "/other").is_none());
    }

    #[test]
    fn flags_parse_and_are_checked() {
        let parse = |extra: &[&str]| {
            let argv = ["wsinspect", "proxy"].iter().chain(extra).copied();
            let Command::Proxy(args) = Cli::try_parse_from(argv).unwrap().command else {
                panic!("not proxy");
            };
            args
        };
        let args = parse(&["--upstream", "ws://127.0.0.1:9/"]);
        assert_eq!(args.listen.to_string(), "127.0.0.1:8081");
        assert_eq!(args.max_recording, DEFAULT_MAX_RECORDING);
        assert!(args.settings().is_ok());
        let twice = parse(&["--upstream", "ws://a/", "--upstream", "/=ws://b/"]);
        assert!(twice
            .settings()
            .unwrap_err()
            .contains("has a route already"));
        assert!(parse(&["--upstream", "ws://a/", "--idle-timeout", "0"])
            .settings()
            .unwrap_err()
            .contains("--idle-timeout"));
        assert!(Cli::try_parse_from(["wsinspect", "proxy"]).is_err());
    }
}

//! A bounded load through `wsinspect proxy` (issue 13 §3, scaled to the test budget): 50
//! npm `ws` connections at once, 50 messages each of mixed sizes (0 B to 70 KB, text and
//! binary, permessage-deflate), to an npm `ws` echo upstream. Nothing is lost or altered,
//! every connection ends closed, and the proxy's peak memory is printed.

#[path = "proxy_support/mod.rs"]
mod support;

use std::time::Instant;

use support::*;

#[test]
fn fifty_connections_of_fifty_messages_arrive_unchanged() {
    let (_server, port) = peer_server("node", "proxy_ws.js", &[]);
    let proxy = Proxy::start(&["--upstream", &format!("ws://127.0.0.1:{port}/")]);
    let started = Instant::now();
    let (ok, summary) = peer_client(
        "node",
        "proxy_ws.js",
        &[
            "--url",
            &proxy.url("/load"),
            "--connections",
            "50",
            "--messages",
            "50",
        ],
    );
    assert!(ok, "{summary}");
    assert_eq!(summary["messages"], 50 * 50, "{summary}");
    let took = started.elapsed();
    let list = proxy.wait_all_closed();
    let connections = list["connections"].as_array().unwrap();
    assert_eq!(connections.len(), 50);
    assert_eq!(list["open"], 0);
    for c in connections {
        // 50 messages and the close each way, frames counted by the proxy as they passed.
        assert_eq!(c["frames"]["client"], 51, "{c}");
        assert_eq!(c["frames"]["server"], 51, "{c}");
        assert_eq!(c["truncated"], false);
    }
    let bytes: u64 = connections
        .iter()
        .map(|c| c["bytes"]["client"].as_u64().unwrap() + c["bytes"]["server"].as_u64().unwrap())
        .sum();
    eprintln!(
        "proxy load: 50 x 50 messages, {:.1} MB relayed in {took:?}, proxy peak RSS {} KiB",
        bytes as f64 / 1e6,
        proxy.peak_rss_kib().unwrap_or(0)
    );
}

//! Load through `wsinspect proxy` (issue 13 §3): 200 npm `ws` connections at once, 100
//! messages each of mixed sizes (0 B to 70 KB, text and incompressible binary,
//! permessage-deflate), to an npm `ws` echo upstream. Nothing is lost or altered, every
//! connection ends closed with its frames counted, and the proxy's peak memory is printed
//! and checked: the proxy keeps every connection's recording in memory (up to
//! `--max-recording` each), so its peak is those bytes plus the relay's own overhead, and the
//! overhead is what is bounded.
#![cfg(not(target_arch = "wasm32"))]

#[path = "proxy_support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::*;

const CONNECTIONS: usize = 200;
const MESSAGES: usize = 100;
/// Most memory the proxy may use beyond the recordings it keeps, in KiB.
const OVERHEAD_KIB: u64 = 64 * 1024;

#[test]
fn two_hundred_connections_of_a_hundred_messages_arrive_unchanged() {
    let (_server, port) = peer_server("node", "proxy_ws.js", &[]);
    let proxy = Proxy::start(&["--upstream", &format!("ws://127.0.0.1:{port}/")]);
    let started = Instant::now();
    // The client checks every echo against what it sent and exits 2 after 30 s.
    let (ok, summary) = peer_client(
        "node",
        "proxy_ws.js",
        &[
            "--url",
            &proxy.url("/load"),
            "--connections",
            &CONNECTIONS.to_string(),
            "--messages",
            &MESSAGES.to_string(),
        ],
    );
    let took = started.elapsed();
    assert!(ok, "{summary}");
    assert_eq!(summary["connections"], CONNECTIONS, "{summary}");
    assert_eq!(summary["messages"], CONNECTIONS * MESSAGES, "{summary}");
    assert_eq!(summary["failures"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        summary["extensions"],
        serde_json::json!(["permessage-deflate"])
    );
    assert!(took < Duration::from_secs(30), "{took:?}");

    let list = proxy.wait_all_closed();
    let connections = list["connections"].as_array().unwrap();
    assert_eq!(connections.len(), CONNECTIONS);
    assert_eq!(list["open"], 0, "every connection ends closed");
    for c in connections {
        assert_eq!(c["state"], "closed", "{c}");
        // The messages and the close each way, frames counted by the proxy as they passed.
        assert_eq!(c["frames"]["client"], MESSAGES + 1, "{c}");
        assert_eq!(c["frames"]["server"], MESSAGES + 1, "{c}");
        assert_eq!(c["truncated"], false);
    }
    let bytes: u64 = connections
        .iter()
        .map(|c| c["bytes"]["client"].as_u64().unwrap() + c["bytes"]["server"].as_u64().unwrap())
        .sum();
    // The binary half is noise, so permessage-deflate leaves it near its size: well over
    // 200 MB cross the proxy.
    assert!(bytes > 200_000_000, "{bytes} bytes relayed");

    let peak = proxy.peak_rss_kib().expect("the proxy's VmHWM");
    let recorded = bytes / 1024;
    eprintln!(
        "proxy load: {CONNECTIONS} x {MESSAGES} messages, {:.1} MB relayed (and recorded) in \
         {took:?}, proxy peak RSS {peak} KiB, {} KiB beyond the recordings",
        bytes as f64 / 1e6,
        peak.saturating_sub(recorded)
    );
    assert!(
        peak < recorded + OVERHEAD_KIB,
        "peak RSS {peak} KiB is more than the {recorded} KiB recorded plus {OVERHEAD_KIB} KiB"
    );
}

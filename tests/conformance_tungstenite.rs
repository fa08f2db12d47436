//! `wsinspect conformance client` against a tungstenite (crates.io) echo server started here,
//! in this process, on 127.0.0.1: the built binary runs every case of the groups that test a
//! server over RFC 6455 alone; its exit status and index.json are checked, and every verdict is
//! compared with tungstenite's own published Autobahn results
//! (tests/fixtures/conformance/tungstenite.json). Every difference is printed; one that
//! [`KNOWN_DIFFERENCES`] does not explain fails the test.
#![cfg(not(target_arch = "wasm32"))]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::Message;

/// The groups that test a server over RFC 6455 alone (not 9: sizes and times; not 12 and 13:
/// permessage-deflate, which this server does not offer). A pattern no case matches yet is
/// simply not run.
const CASES: &str = "1.*,2.*,3.*,4.*,5.*,6.*,7.*,10.*";

/// Where wsinspect's verdict differs from tungstenite's published one, and why: (case id,
/// our "behavior / behaviorClose / remote close code", explanation).
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[];

/// No more connections than this are served (each case opens one).
const MAX_CONNECTIONS: usize = 2000;

/// Starts the echo server on a free loopback port; its thread serves until the test process
/// ends, each connection on its own thread, idle ones given up after 30 s.
fn start_echo_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(MAX_CONNECTIONS).flatten() {
            std::thread::spawn(move || echo(stream));
        }
    });
    port
}

/// tungstenite as an Autobahn echo server is set up: text and binary messages sent back as
/// they came; pings, pongs and closes left to the library.
fn echo(stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut socket) = tungstenite::accept(stream) else {
        return;
    };
    loop {
        match socket.read() {
            Ok(message @ (Message::Text(_) | Message::Binary(_))) => {
                if socket.send(message).is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `[behavior, behaviorClose, remoteCloseCode]` as "OK / OK / 1000" ("-": no code).
fn verdict_text(behavior: &Value, close: &Value, code: &Value) -> String {
    let code = code.as_u64().map_or("-".to_string(), |c| c.to_string());
    format!(
        "{} / {} / {code}",
        behavior.as_str().unwrap_or("?"),
        close.as_str().unwrap_or("?")
    )
}

/// Case ids in Autobahn's order.
fn sorted_ids(index: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut ids: Vec<String> = index.keys().cloned().collect();
    ids.sort_by_key(|id| {
        id.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    ids
}

#[test]
fn tungstenite_server_verdicts_match_its_published_autobahn_results() {
    let port = start_echo_server();
    let report = std::env::temp_dir().join(format!(
        "wsinspect-conformance-tungstenite-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&report);
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wsinspect"))
        .args(["conformance", "client", &format!("ws://127.0.0.1:{port}/")])
        .args(["--cases", CASES, "--agent", "Tungstenite", "--json"])
        .arg("--report")
        .arg(&report)
        .output()
        .expect("run wsinspect conformance client");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("--json summary: {e}\nstderr: {stderr}"));

    // index.json: the one agent, one entry per case run, each well formed with its report.
    let index = read_json(&report.join("index.json"));
    let agents: Vec<&String> = index
        .as_object()
        .expect("index.json is an object")
        .keys()
        .collect();
    assert_eq!(
        agents,
        ["Tungstenite"],
        "the cases are filed under the --agent name"
    );
    let cases = index["Tungstenite"].as_object().expect("the agent's cases");
    let ids = sorted_ids(cases);
    assert_eq!(
        Some(ids.len() as u64),
        summary["cases"].as_u64(),
        "{summary}"
    );
    for id in &ids {
        let e = &cases[id];
        for key in ["behavior", "behaviorClose"] {
            assert!(e[key].is_string(), "{id}: {key} {e}");
        }
        assert!(e["duration"].is_u64(), "{id}: duration {e}");
        assert!(
            e["remoteCloseCode"].is_null() || e["remoteCloseCode"].is_u64(),
            "{id}: {e}"
        );
        let file = report.join(e["reportfile"].as_str().expect("reportfile"));
        let case = read_json(&file);
        assert_eq!(case["id"], id.as_str(), "{}", file.display());
        assert_eq!(case["behavior"], e["behavior"], "{id}: the report agrees");
    }

    // The exit status: 1 exactly when a case FAILED.
    let failed: Vec<&String> = ids
        .iter()
        .filter(|id| cases[*id]["behavior"] == "FAILED")
        .collect();
    assert_eq!(
        output.status.code(),
        Some(if failed.is_empty() { 0 } else { 1 }),
        "FAILED: {failed:?}\nstderr: {stderr}"
    );

    // Every verdict against tungstenite's published one.
    let fixture = read_json(&repo().join("tests/fixtures/conformance/tungstenite.json"));
    let published = fixture["servers"].as_object().expect("servers");
    let mut rows = Vec::new();
    let mut unexplained = Vec::new();
    for id in &ids {
        let e = &cases[id];
        let theirs = published
            .get(id)
            .unwrap_or_else(|| panic!("{id}: tungstenite publishes no verdict"));
        let ours = verdict_text(&e["behavior"], &e["behaviorClose"], &e["remoteCloseCode"]);
        let theirs = verdict_text(&theirs[0], &theirs[1], &theirs[2]);
        if ours == theirs {
            continue;
        }
        let why = KNOWN_DIFFERENCES
            .iter()
            .find(|(k, o, _)| k == id && *o == ours)
            .map(|(_, _, why)| *why);
        if why.is_none() {
            unexplained.push(id.clone());
        }
        rows.push(format!(
            "{id:<8} {ours:<28} {theirs:<28} {}",
            why.unwrap_or("UNEXPLAINED")
        ));
    }
    println!(
        "tungstenite: {} cases in {:.1} s; {} differ from tungstenite {} (published):",
        ids.len(),
        elapsed.as_secs_f64(),
        rows.len(),
        fixture["version"].as_str().unwrap_or("?")
    );
    println!("{:<8} {:<28} {:<28} why", "case", "wsinspect", "published");
    for row in &rows {
        println!("{row}");
    }
    for (id, ours, _) in KNOWN_DIFFERENCES {
        if cases.contains_key(*id) && !rows.iter().any(|r| r.starts_with(&format!("{id} "))) {
            println!("{id}: listed as a known difference ({ours}) but agrees now");
        }
    }
    let _ = std::fs::remove_dir_all(&report);
    assert!(
        unexplained.is_empty(),
        "differences from tungstenite's published verdicts not explained in KNOWN_DIFFERENCES: {unexplained:?}"
    );
}

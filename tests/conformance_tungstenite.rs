//! `wsinspect conformance` against tungstenite (crates.io), both ways, on 127.0.0.1:
//! - `conformance client` tests a tungstenite echo server started in this process;
//! - `conformance server` tests tungstenite's client, driven by an Autobahn-style harness
//!   written here (/getCaseCount, every case at /runCase?case=N&agent=A echoing every
//!   message, /updateReports), the server then stopped with /stopServer.
//!
//! Each run's exit status and index.json are checked, and every verdict is compared with
//! tungstenite's own published Autobahn results (tests/fixtures/conformance/tungstenite.json,
//! the same for its server and its client). Every difference is printed; one that
//! [`KNOWN_DIFFERENCES`] does not explain fails the test.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tungstenite::Message;

/// The groups that test over RFC 6455 alone (not 9: sizes and times; not 12 and 13:
/// permessage-deflate, which tungstenite does not have). A pattern no case matches yet is
/// simply not run.
const CASES: &str = "1.*,2.*,3.*,4.*,5.*,6.*,7.*,10.*";

/// Where wsinspect's verdict differs from tungstenite's published one, and why: (which side
/// tungstenite is, "server" or "client"; case id; our "behavior / behaviorClose / remote close
/// code"; explanation).
const KNOWN_DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    // Every verdict agrees with tungstenite's published ones but this race, seen once in
    // about ten runs on a loaded machine. (3.4, 4.1.5 and 4.2.5 once differed by wsinspect's
    // fault: its runner wrote every byte of those cases before reading, and lost tungstenite's
    // echo when the connection was reset; it reads between writes now, as Autobahn's does.)
    (
        "server",
        "7.1.6",
        "INFORMATIONAL / INFORMATIONAL / -",
        CLOSE_RACE,
    ),
    (
        "client",
        "7.1.6",
        "INFORMATIONAL / INFORMATIONAL / -",
        CLOSE_RACE,
    ),
];

/// 7.1.6 sends a 256 KiB text, its close and then a ping: the peer answers the close and
/// ends TCP with the ping still unread, so its TCP stack may send a reset, and a reset
/// throws away what the tester has not read yet, the peer's close among it. Both verdicts
/// stay INFORMATIONAL (the spec leaves this case open); only the remote close code is lost.
const CLOSE_RACE: &str = "a TCP reset can discard the peer's close before the tester reads it \
    (the peer ends TCP with the tester's ping after the close unread); INFORMATIONAL either way";

/// No more connections than this are served (each case opens one).
const MAX_CONNECTIONS: usize = 2000;

/// Idle connections and the whole run are given up after these.
const IDLE: Duration = Duration::from_secs(30);
const RUN_LIMIT: Duration = Duration::from_secs(100);

#[test]
fn tungstenite_server_verdicts_match_its_published_autobahn_results() {
    let port = start_echo_server();
    let report = report_dir("server");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wsinspect"))
        .args(["conformance", "client", &format!("ws://127.0.0.1:{port}/")])
        .args(["--cases", CASES, "--agent", "Tungstenite", "--json"])
        .arg("--report")
        .arg(&report)
        .output()
        .expect("run wsinspect conformance client");
    let cases = check_run(&report, &output, "Tungstenite");
    compare_with_published("server", &cases, started.elapsed());
    remove_report(&report);
}

#[test]
fn tungstenite_client_verdicts_match_its_published_autobahn_results() {
    let report = report_dir("client");
    let started = Instant::now();
    let mut server = Command::new(env!("CARGO_BIN_EXE_wsinspect"))
        .args(["conformance", "server", "--listen", "127.0.0.1:0"])
        .args(["--cases", CASES, "--json", "--report"])
        .arg(&report)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wsinspect conformance server");
    let port = listening_port(&mut server);
    let base = format!("ws://127.0.0.1:{port}");
    let ran = harness(&base, "Tungstenite");
    // Autobahn's /stopServer ends the run: the summary is printed and the exit status set.
    drain(open(&format!("{base}/stopServer")));
    let output = wait_bounded(server, started);
    let cases = check_run(&report, &output, "Tungstenite");
    assert_eq!(cases.len(), ran, "every case the harness ran is reported");
    compare_with_published("client", &cases, started.elapsed());
    remove_report(&report);
}

// ---- tungstenite's two sides ----

/// Starts the echo server on a free loopback port; its thread serves until the test process
/// ends, each connection on its own thread.
fn start_echo_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(MAX_CONNECTIONS).flatten() {
            std::thread::spawn(move || echo_server_connection(stream));
        }
    });
    port
}

/// tungstenite as an Autobahn echo server is set up: text and binary messages sent back as
/// they came; pings, pongs and closes left to the library.
fn echo_server_connection(stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let Ok(mut socket) = tungstenite::accept(stream) else {
        return;
    };
    echo(&mut socket);
}

/// Echoes text and binary messages until the connection ends (a close, a rule broken, TCP).
fn echo(socket: &mut tungstenite::WebSocket<TcpStream>) {
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

/// tungstenite's client on a conformance server URL (`None` when it could not connect).
fn open(url: &str) -> Option<tungstenite::WebSocket<TcpStream>> {
    let authority = url.trim_start_matches("ws://");
    let authority = &authority[..authority.find('/').unwrap_or(authority.len())];
    let stream = TcpStream::connect(authority).ok()?;
    let _ = stream.set_read_timeout(Some(IDLE));
    tungstenite::client(url, stream)
        .ok()
        .map(|(socket, _)| socket)
}

/// Reads until the connection ends; the text messages that came.
fn drain(socket: Option<tungstenite::WebSocket<TcpStream>>) -> Vec<String> {
    let mut texts = Vec::new();
    if let Some(mut socket) = socket {
        while let Ok(message) = socket.read() {
            if let Message::Text(t) = message {
                texts.push(t.to_string());
            }
        }
    }
    texts
}

/// The Autobahn-style harness: the case count, each case echoed, the reports updated.
/// Returns the number of cases run.
fn harness(base: &str, agent: &str) -> usize {
    let count: usize = drain(open(&format!("{base}/getCaseCount")))
        .first()
        .and_then(|t| t.trim().parse().ok())
        .expect("getCaseCount answers a number");
    for n in 1..=count {
        if let Some(mut socket) = open(&format!("{base}/runCase?case={n}&agent={agent}")) {
            echo(&mut socket);
        }
    }
    drain(open(&format!("{base}/updateReports?agent={agent}")));
    count
}

// ---- the wsinspect process and its reports ----

fn report_dir(side: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wsinspect-conformance-tungstenite-{side}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Removes a passing run's reports (kept, and named, with WSINSPECT_KEEP_REPORTS=1; a failing
/// run's are always kept).
fn remove_report(dir: &Path) {
    if std::env::var_os("WSINSPECT_KEEP_REPORTS").is_some() {
        println!("reports kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The port in the server's first stderr line ("... on ws://127.0.0.1:PORT/ ...").
fn listening_port(server: &mut Child) -> u16 {
    let stderr = server.stderr.take().expect("stderr");
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("the server's first line");
    let after = line
        .split("ws://127.0.0.1:")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no port in {line:?}"))
}

/// Waits for the server to exit, killing it (and failing) past [`RUN_LIMIT`].
fn wait_bounded(mut server: Child, started: Instant) -> Output {
    while server.try_wait().expect("try_wait").is_none() {
        if started.elapsed() > RUN_LIMIT {
            let _ = server.kill();
            let _ = server.wait();
            panic!("wsinspect conformance server still runs after {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    server.wait_with_output().expect("the server's output")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Checks the run's summary, exit status and index.json (the one agent, every case well
/// formed, its report file there and agreeing); returns the agent's cases.
fn check_run(report: &Path, output: &Output, agent: &str) -> Map<String, Value> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("--json summary: {e}\nstderr: {stderr}"));
    let index = read_json(&report.join("index.json"));
    let agents: Vec<&String> = index.as_object().expect("an object").keys().collect();
    assert_eq!(
        agents,
        [agent],
        "the cases are filed under the agent's name"
    );
    let cases = index[agent].as_object().expect("the agent's cases").clone();
    assert_eq!(
        Some(cases.len() as u64),
        summary["cases"].as_u64(),
        "{summary}"
    );
    for (id, e) in &cases {
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
    let failed: Vec<&String> = cases
        .iter()
        .filter(|(_, e)| e["behavior"] == "FAILED" || e["behaviorClose"] == "FAILED")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        output.status.code(),
        Some(if failed.is_empty() { 0 } else { 1 }),
        "the exit status is 1 exactly when a case failed (by its events or its close): {failed:?}\nstderr: {stderr}"
    );
    cases
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
fn sorted_ids(cases: &Map<String, Value>) -> Vec<String> {
    let mut ids: Vec<String> = cases.keys().cloned().collect();
    ids.sort_by_key(|id| {
        id.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    ids
}

/// Prints every difference from tungstenite's published verdicts (tungstenite being `side`)
/// and fails on one [`KNOWN_DIFFERENCES`] does not explain.
fn compare_with_published(side: &str, cases: &Map<String, Value>, elapsed: Duration) {
    let fixture = read_json(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/conformance/tungstenite.json"),
    );
    let table = if side == "server" {
        "servers"
    } else {
        "clients"
    };
    let published = fixture[table].as_object().expect("the published table");
    let mut rows = Vec::new();
    let mut unexplained = Vec::new();
    let ids = sorted_ids(cases);
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
            .find(|(s, k, o, _)| *s == side && k == id && *o == ours)
            .map(|(_, _, _, why)| *why);
        if why.is_none() {
            unexplained.push(id.clone());
        }
        rows.push(format!(
            "{id:<8} {ours:<28} {theirs:<28} {}",
            why.unwrap_or("UNEXPLAINED")
        ));
    }
    let mut printed = format!(
        "tungstenite {side}: {} cases in {:.1} s; {} differ from tungstenite {} (published):\n\
         {:<8} {:<28} {:<28} why\n",
        ids.len(),
        elapsed.as_secs_f64(),
        rows.len(),
        fixture["version"].as_str().unwrap_or("?"),
        "case",
        "wsinspect",
        "published"
    );
    for row in &rows {
        printed.push_str(row);
        printed.push('\n');
    }
    for (s, id, ours, _) in KNOWN_DIFFERENCES {
        if *s == side
            && cases.contains_key(*id)
            && !rows.iter().any(|r| r.starts_with(&format!("{id} ")))
        {
            printed.push_str(&format!(
                "{id}: listed as a known difference ({ours}), not seen in this run\n"
            ));
        }
    }
    // One print: the two tests run side by side.
    print!("{printed}");
    assert!(
        unexplained.is_empty(),
        "differences from tungstenite's published verdicts ({side}) not explained in KNOWN_DIFFERENCES: {unexplained:?}"
    );
}

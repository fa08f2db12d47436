//! `wsinspect decode` writes as it decodes: its memory does not follow the number of frames,
//! and a reader that goes away ends it quietly.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> String {
    std::env::var("WSINSPECT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_wsinspect").to_owned())
}

/// 200,000 empty binary frames, 400 KB.
fn many_frames() -> Vec<u8> {
    [0x82u8, 0x00].repeat(200_000)
}

/// Runs `decode ARGS` on `input`, reading its output; returns (peak RSS in MiB from
/// /proc/PID/status VmHWM, sampled until it exits, bytes written, exit code).
fn peak_of_decode(args: &[&str], input: Vec<u8>) -> (u64, usize, Option<i32>) {
    let mut child = Command::new(bin())
        .arg("decode")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || stdin.write_all(&input));
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut n = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(k) = stdout.read(&mut buf) {
            if k == 0 {
                break;
            }
            n += k;
        }
        n
    });
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let deadline = Instant::now() + Duration::from_secs(300);
    let code = loop {
        if let Ok(s) = std::fs::read_to_string(&status) {
            if let Some(v) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            {
                peak_kib = peak_kib.max(v);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "decode ran over 300 s");
        std::thread::sleep(Duration::from_millis(10));
    };
    (peak_kib / 1024, reader.join().unwrap(), code)
}

#[test]
fn json_of_200000_frames_stays_small() {
    // It used to build the whole tree and a pretty string: 3.5 GB for these 400 KB.
    let (peak, written, code) = peak_of_decode(&["--format", "raw", "--json"], many_frames());
    eprintln!("--json: {written} bytes written, peak {peak} MiB");
    assert_eq!(code, Some(0));
    assert!(written > 200_000 * 100);
    assert!(peak < 300, "peak {peak} MiB");
}

#[test]
fn the_table_and_jsonl_of_200000_frames_stay_small() {
    for args in [&["--format", "raw"][..], &["--format", "raw", "--jsonl"]] {
        let (peak, written, code) = peak_of_decode(args, many_frames());
        eprintln!("{args:?}: {written} bytes written, peak {peak} MiB");
        assert_eq!(code, Some(0));
        assert!(peak < 100, "{args:?}: peak {peak} MiB");
    }
}

#[test]
fn jsonl_lines_are_objects_in_stream_order() {
    let mut child = Command::new(bin())
        .args(["decode", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"81 02 68 69 83 00 81 05 48")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    // Each object where it completes: the first message right after its frame, the
    // violation with the frame that broke the rule, the open message at the end.
    assert_eq!(
        types,
        [
            "input",
            "frame",
            "frame",
            "message",
            "violation",
            "notice",
            "notice",
            "message",
            "notice",
            "end"
        ]
    );
    assert_eq!(lines[4]["id"], "reserved-opcode");
    assert_eq!(lines[9]["incomplete"]["needed"], 4);
    assert_eq!(lines[9]["frames"], 2);
}

#[test]
fn a_closed_stdout_ends_quietly_with_141() {
    // `wsinspect decode ... | head -1`: it used to panic ("failed printing to stdout:
    // Broken pipe") with status 101.
    for args in [&["--format", "raw"][..], &["--format", "raw", "--json"]] {
        let mut child = Command::new(bin())
            .arg("decode")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::thread::spawn(move || stdin.write_all(&many_frames()));
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        // The reader is gone.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

//! The command line: `decode`, `accept`, `hixie76`, `handshake`, their exit statuses and help.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `wsinspect ARGS` with `stdin`; its output and status.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wsinspect"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// RFC 6455 §5.7: "A single-frame masked text message".
const MASKED_HELLO: &str = "81 85 37 fa 21 3d 7f 9f 4d 51 58";

#[test]
fn decode_prints_a_table_of_the_rfc_masked_hello() {
    let o = run(&["decode"], MASKED_HELLO.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("0x1 text"), "{out}");
    assert!(out.contains("37fa213d"), "{out}");
    assert!(out.contains("\"Hello\""), "{out}");
    assert!(out.contains("role client"), "{out}");
    assert!(
        out.contains("1 frame(s), 1 message(s), 0 violation(s)"),
        "{out}"
    );
}

#[test]
fn decode_json_carries_every_field_and_the_violations_with_offsets() {
    let input = format!("{MASKED_HELLO} 83 80 00 00 00 00");
    let o = run(&["decode", "-", "--json"], input.as_bytes());
    assert_eq!(o.status.code(), Some(1), "a rule broken exits 1");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let frames = v["decoded"]["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0]["maskingKey"], "37fa213d");
    assert_eq!(frames[0]["payload"], "48656c6c6f");
    assert_eq!(frames[0]["lengthEncoding"], "7");
    assert_eq!(v["decoded"]["messages"][0]["text"], "Hello");
    let violation = &v["decoded"]["violations"][0];
    assert_eq!(violation["id"], "reserved-opcode");
    assert_eq!(violation["offset"], 11);
    // The opcode is in byte 0 of the frame: a span of 1 byte.
    assert_eq!(violation["length"], 1);
    assert_eq!(violation["closeCode"], 1002);
    assert_eq!(v["input"]["length"], 17);
}

#[test]
fn decode_shows_each_violations_span_in_the_table_and_json() {
    // A server's text E2 82 "A": the ill-formed subsequence E2 82 (Python's
    // UnicodeDecodeError: start 0, end 2) at bytes 2-3; then a close with code 1005,
    // whose two code bytes (7-8) break RFC 6455 §7.4.
    let input = "81 03 e2 82 41 88 02 03 ed";
    let o = run(&["decode", "-", "--role", "server"], input.as_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("invalid-utf8: invalid utf-8 in text message 0 at byte 2 (RFC 6455 §8.1), spanning 2 bytes"),
        "{out}"
    );
    assert!(
        out.contains("at byte 7 (RFC 6455 §7.4), spanning 2 bytes"),
        "{out}"
    );
    let o = run(
        &["decode", "-", "--role", "server", "--json"],
        input.as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let spans: Vec<_> = v["decoded"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["id"].as_str().unwrap().to_owned(),
                x["offset"].clone(),
                x["length"].clone(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("invalid-utf8".to_owned(), 2.into(), 2.into()),
            ("invalid-close-code".to_owned(), 7.into(), 2.into())
        ]
    );
}

#[test]
fn decode_options_role_protocol_extensions_and_max_message() {
    // A server's unmasked frame read as from a client breaks the mask rule.
    let o = run(&["decode", "--role", "client", "--json"], b"81 02 68 69");
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decoded"]["violations"][0]["id"], "unmasked-client-frame");
    assert_eq!(
        run(&["decode", "--role", "server"], b"81 02 68 69")
            .status
            .code(),
        Some(0)
    );

    // RFC 7692 §7.2.3.1: "Hello" compressed, as a server sends it.
    let deflated = "c1 07 f2 48 cd c9 c9 07 00";
    let o = run(
        &["decode", "--extensions", "permessage-deflate", "--json"],
        deflated.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decoded"]["messages"][0]["text"], "Hello");
    assert_eq!(v["decoded"]["messages"][0]["compressed"], true);
    // Without the extension, RSV1 is a reserved bit.
    assert_eq!(run(&["decode"], deflated.as_bytes()).status.code(), Some(1));

    let o = run(
        &[
            "decode",
            "--protocol",
            "hixie-76",
            "--format",
            "escaped",
            "--json",
        ],
        b"\\x00Hi\\xff",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decoded"]["protocol"], "hixie-76");
    assert_eq!(v["decoded"]["messages"][0]["text"], "Hi");

    let o = run(
        &["decode", "--max-message", "3", "--json"],
        b"82 05 01 02 03 04 05",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decoded"]["violations"][0]["id"], "message-too-big");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn decode_reads_raw_bytes_base64_and_files() {
    let raw = [0x81u8, 0x02, b'h', b'i'];
    let o = run(&["decode", "--format", "raw", "--json"], &raw);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decoded"]["messages"][0]["text"], "hi");
    // Not text: auto takes the bytes as they are.
    let o = run(&["decode", "--json"], &raw);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["input"]["readAs"], "raw bytes (not text)");
    let o = run(&["decode", "--format", "base64", "--json"], b"gQJoaQ==");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decoded"]["messages"][0]["text"], "hi");

    let file = std::env::temp_dir().join(format!("wsinspect-cli-{}.hex", std::process::id()));
    std::fs::write(&file, MASKED_HELLO).unwrap();
    let o = run(&["decode", file.to_str().unwrap()], b"");
    let _ = std::fs::remove_file(&file);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("\"Hello\""));
}

#[test]
fn decode_after_a_handshake_head_takes_role_and_extensions_from_it() {
    let mut input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
        .to_vec();
    let head = input.len() as u64;
    input.extend_from_slice(&[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    let o = run(&["decode", "--format", "raw", "--json"], &input);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // A conversation of one direction: the response is its head, its frames the server's.
    assert_eq!(v["response"]["kind"], "response");
    assert_eq!(v["response"]["headLength"], head);
    assert_eq!(v["request"], serde_json::Value::Null);
    assert_eq!(v["extensions"], "permessage-deflate");
    assert_eq!(v["frames"][0]["direction"], "server");
    assert_eq!(v["frames"][0]["masked"], false);
    assert_eq!(
        v["frames"][0]["offset"], head,
        "offsets count from the direction's first byte, head included"
    );
    assert_eq!(v["messages"][0]["text"], "Hello");
    assert_eq!(v["violations"].as_array().unwrap().len(), 0);
}

/// The bytes of a tshark Follow TCP Stream (raw) text, as tshark prints it.
fn follow_raw(client: &[u8], server: &[u8]) -> String {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    format!(
        "\n===================================================================\nFollow: tcp,raw\n\
         Filter: tcp.stream eq 0\nNode 0: 127.0.0.1:40000\nNode 1: 127.0.0.1:8765\n{}\n\t{}\n\
         ===================================================================\n",
        hex(client),
        hex(server)
    )
}

const REQUEST_DEFLATE: &[u8] =
    b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
const RESPONSE_DEFLATE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
/// "Hello" compressed (RFC 7692 §7.2.3.1), masked with 01 02 03 04.
const MASKED_COMPRESSED_HELLO: [u8; 13] = [
    0xc1, 0x87, 1, 2, 3, 4, 0xf3, 0x4a, 0xce, 0xcd, 0xc8, 0x05, 0x03,
];

#[test]
fn decode_of_follow_text_is_a_conversation_of_both_directions() {
    let mut client = REQUEST_DEFLATE.to_vec();
    client.extend(MASKED_COMPRESSED_HELLO);
    let text = follow_raw(&client, RESPONSE_DEFLATE);
    let o = run(&["decode"], text.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("read as tshark follow, raw, 2 directions"),
        "{out}"
    );
    assert!(
        out.contains("client 127.0.0.1:40000, server 127.0.0.1:8765"),
        "{out}"
    );
    assert!(out.contains("every pair check passed"), "{out}");
    assert!(out.contains("\"Hello\""), "{out}");
    assert!(out.contains("0 violation(s)"), "{out}");

    let o = run(&["decode", "--json"], text.as_bytes());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "tshark follow, raw, 2 directions");
    assert_eq!(v["client"]["port"], 40000);
    let f = &v["frames"][0];
    assert_eq!(f["direction"], "client");
    assert_eq!(f["masked"], true, "the JS API's name, not `mask`");
    assert_eq!(f["maskingKey"], "01020304");
    assert_eq!(f["offset"], REQUEST_DEFLATE.len());
    assert_eq!(v["messages"][0]["text"], "Hello");
    assert_eq!(v["messages"][0]["compressed"], true);

    let o = run(&["decode", "--jsonl"], text.as_bytes());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "conversation");
    assert_eq!(lines[1]["type"], "frame");
    assert_eq!(lines[1]["direction"], "client");
}

#[test]
fn decode_of_the_client_direction_alone_takes_the_offer_as_agreed() {
    // Before conversations: rsv1 and the compressed bytes as text were 2 false violations.
    let mut client = REQUEST_DEFLATE.to_vec();
    client.extend(MASKED_COMPRESSED_HELLO);
    let o = run(&["decode", "--format", "raw"], &client);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("0 violation(s)"), "{out}");
    assert!(
        out.contains("compression-assumed") || out.contains("permessage-deflate assumed"),
        "{out}"
    );
    assert!(out.contains("\"Hello\""), "{out}");
}

#[test]
fn decode_of_broken_follow_text_says_which_line() {
    let mut text = follow_raw(REQUEST_DEFLATE, RESPONSE_DEFLATE);
    text = text.replace("\n\t", "\nnot hex at all\n\t");
    let o = run(&["decode"], text.as_bytes());
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("line 8"), "{}", stderr(&o));
}

#[test]
fn decode_of_unreadable_input_exits_2_saying_where() {
    let o = run(&["decode", "--format", "hex"], b"81 0g");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 1, column"), "{}", stderr(&o));
    let o = run(&["decode", "/no/such/file"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
    let o = run(
        &["decode", "--extensions", "permessage-deflate; bogus"],
        b"81 00",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn decode_reports_a_truncated_tail_as_incomplete_not_an_error() {
    let o = run(&["decode", "--json"], b"81 05 48 65");
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decoded"]["incomplete"]["offset"], 0);
    assert_eq!(v["decoded"]["incomplete"]["needed"], 3);
}

#[test]
fn accept_gives_the_rfc_example() {
    let o = run(&["accept", "dGhlIHNhbXBsZSBub25jZQ=="], b"");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n");
    assert_eq!(stderr(&o), "");
    let o = run(&["accept", "not a key"], b"");
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("not the base64 of 16 bytes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn hixie76_gives_the_draft_example_answer_and_refuses_bad_keys() {
    let o = run(
        &[
            "hixie76",
            "4 @1  46546xW%0l 1 5",
            "12998 5 Y3 1  .P00",
            "^n:ds[4U",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("answer as text: 8jKS'y:G*Co,Wxa-"),
        "{}",
        stdout(&o)
    );
    let o = run(
        &[
            "hixie76",
            "--json",
            "4 @1  46546xW%0l 1 5",
            "12998 5 Y3 1  .P00",
            "5e6e3a64735b3455",
            "--key3-format",
            "hex",
        ],
        b"",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["answer"], "386a4b5327793a472a436f2c5778612d");
    assert_eq!(v["key1"]["quotient"], 829309203);
    let o = run(&["hixie76", "1234", "12998 5 Y3 1  .P00", "^n:ds[4U"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("space"), "{}", stderr(&o));
    let o = run(
        &[
            "hixie76",
            "4 @1  46546xW%0l 1 5",
            "12998 5 Y3 1  .P00",
            "short",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
}

const REQUEST: &str = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const RESPONSE: &str =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

#[test]
fn handshake_checks_a_request_and_a_pair() {
    let o = run(&["handshake"], REQUEST.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("every check passed"));
    let both = format!("{REQUEST}{RESPONSE}");
    let o = run(&["handshake", "--json"], both.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["response"]["offset"], REQUEST.len());
    assert!(v["pairChecks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "accept-mismatch" && c["passed"] == true));

    let wrong = both.replace(
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let o = run(&["handshake"], wrong.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("FAIL accept-mismatch"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn handshake_names_each_broken_rule_and_exits_1() {
    let bad = REQUEST.replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
    let o = run(&["handshake"], bad.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("FAIL bad-version"), "{}", stdout(&o));
    let o = run(
        &["handshake", "--format", "escaped"],
        b"GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("FAIL bad-upgrade"), "{}", stdout(&o));
    assert_eq!(
        run(&["handshake", "/no/such/file"], b"").status.code(),
        Some(2)
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in ["serve", "decode", "accept", "hixie76", "handshake"] {
        let o = run(&[command, "--help"], b"");
        assert_eq!(o.status.code(), Some(0), "{command}");
        let help = stdout(&o);
        assert!(
            help.contains("Example"),
            "{command} --help has no example:\n{help}"
        );
        assert!(help.contains("wsinspect"), "{command}");
    }
    let o = run(&["--help"], b"");
    for command in ["serve", "decode", "accept", "hixie76", "handshake"] {
        assert!(stdout(&o).contains(command));
    }
}

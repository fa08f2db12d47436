//! `/tap`: sessions, records (every byte, both directions, in order) and actions.
#![cfg(not(target_arch = "wasm32"))]

mod server_support;

use base64::Engine as _;
use serde_json::{json, Value};
use server_support::ws::{self, Client, CLOSE, PING, PONG, TEXT};
use server_support::{runtime, Response, Server};

/// A tap: its client, its session id, and the records read so far.
struct Tap {
    client: Client,
    id: String,
    records: Vec<Value>,
}

impl Tap {
    async fn open(server: &Server) -> Tap {
        let mut client = Client::connect(server.addr, "/tap", &[]).await.unwrap();
        let first = next_json(&mut client).await.expect("a session record");
        assert_eq!(first["type"], "session");
        assert_eq!(first["version"], 1);
        let id = first["session"].as_str().unwrap().to_owned();
        Tap {
            client,
            id,
            records: Vec::new(),
        }
    }

    /// Reads records until one matches (20 s at most per read); returns it.
    async fn until(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.records.iter().find(|r| pred(r)) {
            return found.clone();
        }
        for _ in 0..10_000 {
            let record = next_json(&mut self.client)
                .await
                .unwrap_or_else(|| panic!("tap ended before {what}"));
            self.records.push(record.clone());
            if pred(&record) {
                return record;
            }
        }
        panic!("no {what}");
    }

    async fn act(&mut self, command: Value) {
        self.client.send(TEXT, command.to_string().as_bytes()).await;
    }

    /// All bytes of `dir` on connection `conn`, checking the offsets are contiguous.
    fn stream(&self, conn: u64, dir: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for r in self
            .records
            .iter()
            .filter(|r| r["type"] == "bytes" && r["conn"] == conn && r["dir"] == dir)
        {
            assert_eq!(
                r["offset"].as_u64(),
                Some(out.len() as u64),
                "contiguous offsets"
            );
            out.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(r["base64"].as_str().unwrap())
                    .unwrap(),
            );
        }
        out
    }
}

async fn next_json(client: &mut Client) -> Option<Value> {
    loop {
        let frame = client.recv().await?;
        match frame.opcode {
            TEXT => return Some(serde_json::from_slice(&frame.payload).expect("records are JSON")),
            PING => client.send(PONG, &frame.payload).await,
            CLOSE => return None,
            other => panic!("unexpected opcode {other} on the tap"),
        }
    }
}

fn split_head(bytes: &[u8]) -> (String, Vec<u8>) {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    (
        String::from_utf8_lossy(&bytes[..end]).into_owned(),
        bytes[end..].to_vec(),
    )
}

/// Server frames of a byte stream, with the test client's parser.
fn frames(mut bytes: &[u8]) -> Vec<ws::Frame> {
    let mut out = Vec::new();
    while let Some((frame, used)) = ws::parse_server_frame(bytes) {
        out.push(frame);
        bytes = &bytes[used..];
    }
    out
}

#[test]
fn session_ids_are_128_random_bits_and_distinct() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let a = Tap::open(&server).await;
        let b = Tap::open(&server).await;
        for id in [&a.id, &b.id] {
            assert_eq!(id.len(), 32);
            assert!(id
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
        assert_ne!(a.id, b.id);
    });
}

#[test]
fn unknown_or_malformed_sessions_are_refused_and_a_tap_cannot_name_one() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        for id in ["0123456789abcdef0123456789abcdef", "short", "../../etc"] {
            let err = Client::connect(server.addr, &format!("/echo?session={id}"), &[])
                .await
                .err()
                .unwrap();
            assert!(err.starts_with("HTTP/1.1 404 "), "{err}");
        }
        let tap = Tap::open(&server).await;
        let err = Client::connect(server.addr, &format!("/tap?session={}", tap.id), &[])
            .await
            .err()
            .unwrap();
        assert!(err.starts_with("HTTP/1.1 400 "), "{err}");
    });
}

#[test]
fn the_tap_sees_request_response_and_every_frame_in_order_with_real_masks() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut tap = Tap::open(&server).await;
        let path = format!("/echo?session={}", tap.id);
        let mut subject = Client::connect(server.addr, &path, &[]).await.unwrap();
        subject.send(TEXT, b"Hello").await;
        subject.recv_message().await.unwrap();
        subject.send(PING, b"p").await;
        subject.recv().await.unwrap();
        subject.send(CLOSE, &1000u16.to_be_bytes()).await;
        subject.recv().await.unwrap();
        assert!(subject.recv().await.is_none(), "the server ends TCP first");
        let response_head = subject.response.clone();
        drop(subject);
        let closed = tap.until("closed", |r| r["type"] == "closed").await;
        assert_eq!(closed["conn"], 1);
        let open = tap.records.iter().find(|r| r["type"] == "open").unwrap();
        assert_eq!(open["target"], path);
        assert!(open["peer"].as_str().unwrap().starts_with("127.0.0.1:"));

        let (request, sent) = split_head(&tap.stream(1, "in"));
        let (response, got) = split_head(&tap.stream(1, "out"));
        assert_eq!(request, server_support::upgrade_request(&path, &[]));
        assert_eq!(response, response_head);
        // The client's frames exactly as it wrote them: masked, with its own keys.
        let key = &sent[2..6];
        let unmasked: Vec<u8> = sent[6..11]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ key[i % 4])
            .collect();
        assert_eq!(
            (sent[0], sent[1], unmasked.as_slice()),
            (0x81, 0x85, &b"Hello"[..])
        );
        let ops: Vec<u8> = frames(&got).iter().map(|f| f.opcode).collect();
        assert_eq!(ops, [TEXT, PONG, CLOSE]);
        // Times only grow.
        let times: Vec<f64> = tap.records.iter().filter_map(|r| r["t"].as_f64()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    });
}

#[test]
fn actions_ping_fragments_close_and_broken_frames_reach_the_wire() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut tap = Tap::open(&server).await;
        let mut subject = Client::connect(server.addr, &format!("/echo?session={}", tap.id), &[])
            .await
            .unwrap();
        tap.until("open", |r| r["type"] == "open").await;

        tap.act(json!({"id": 1, "action": "ping", "payload": "hi"}))
            .await;
        let ping = subject.recv().await.unwrap();
        assert_eq!((ping.opcode, ping.payload.as_slice()), (PING, &b"hi"[..]));
        let done = tap
            .until("done 1", |r| r["type"] == "done" && r["id"] == 1)
            .await;
        assert_eq!(done["ok"], true, "{done}");

        tap.act(json!({"id": "f", "action": "fragmented", "text": "abcdefgh", "frames": 4}))
            .await;
        let mut parts = Vec::new();
        for _ in 0..4 {
            let f = subject.recv().await.unwrap();
            parts.push((f.opcode, f.fin, String::from_utf8(f.payload).unwrap()));
        }
        assert_eq!(
            parts,
            [
                (TEXT, false, "ab".into()),
                (0, false, "cd".into()),
                (0, false, "ef".into()),
                (0, true, "gh".into())
            ]
        );

        tap.act(json!({"id": 2, "action": "violation", "violation": "reserved-opcode"}))
            .await;
        let broken = subject.recv().await.unwrap();
        assert_eq!(broken.opcode, 0x3);
        let done = tap
            .until("done 2", |r| r["type"] == "done" && r["id"] == 2)
            .await;
        assert_eq!(done["ok"], true, "{done}");

        tap.act(json!({"id": 3, "action": "violation", "violation": "unmasked-client-frame"}))
            .await;
        let done = tap
            .until("done 3", |r| r["type"] == "done" && r["id"] == 3)
            .await;
        assert_eq!(done["ok"], false);

        tap.act(json!({"id": 4, "action": "close", "code": 4000, "reason": "tap says bye"}))
            .await;
        let close = subject.recv().await.unwrap();
        assert_eq!(close.close(), Some((4000, "tap says bye".into())));
        subject.send(CLOSE, &4000u16.to_be_bytes()).await;
        assert!(
            subject.recv().await.is_none(),
            "the server ends TCP after the closing handshake"
        );
        drop(subject);
        tap.until("closed", |r| r["type"] == "closed").await;
        // Everything the subject received is what the tap says the server wrote.
        let (_, out) = split_head(&tap.stream(1, "out"));
        let ops: Vec<u8> = frames(&out).iter().map(|f| f.opcode).collect();
        assert_eq!(ops, [PING, TEXT, 0, 0, 0, 0x3, CLOSE]);
    });
}

#[test]
fn bad_commands_are_answered_without_a_connection() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut tap = Tap::open(&server).await;
        tap.act(json!({"id": 9, "action": "ping"})).await;
        let done = tap
            .until("done 9", |r| r["type"] == "done" && r["id"] == 9)
            .await;
        assert_eq!(
            (done["ok"].clone(), done["conn"].clone()),
            (json!(false), Value::Null)
        );
        assert!(
            done["error"].as_str().unwrap().contains("no subject"),
            "{done}"
        );
        tap.client.send(TEXT, b"not json").await;
        let done = tap
            .until("not JSON", |r| {
                r["type"] == "done" && r["error"].as_str().is_some_and(|e| e.contains("JSON"))
            })
            .await;
        assert_eq!(done["ok"], false);
    });
}

#[test]
fn a_refused_subject_handshake_shows_on_the_tap() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut tap = Tap::open(&server).await;
        let request = server_support::upgrade_request(&format!("/echo?session={}", tap.id), &[])
            .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 7");
        let res = Response::parse(&server.exchange(request.as_bytes()));
        assert_eq!(res.status, 426);
        tap.until("closed", |r| r["type"] == "closed").await;
        let (response, _) = split_head(&tap.stream(1, "out"));
        assert!(response.starts_with("HTTP/1.1 426 "));
        assert_eq!(tap.stream(1, "in"), request.as_bytes());
        assert!(tap
            .records
            .iter()
            .any(|r| r["type"] == "note" && r["text"].as_str().unwrap().contains("bad-version")));
    });
}

#[test]
fn a_tap_ending_ends_its_session_and_the_limit_on_sessions_holds() {
    runtime().block_on(async {
        let server = Server::start(&["--max-sessions", "2"]);
        let a = Tap::open(&server).await;
        let _b = Tap::open(&server).await;
        let err = Client::connect(server.addr, "/tap", &[])
            .await
            .err()
            .unwrap();
        assert!(err.starts_with("HTTP/1.1 503 "), "{err}");
        let id = a.id.clone();
        let mut client = a.client;
        client.send(CLOSE, &1000u16.to_be_bytes()).await;
        while client.recv().await.is_some() {}
        // Bounded wait for the server to notice.
        let mut refused = false;
        for _ in 0..50 {
            match Client::connect(server.addr, &format!("/echo?session={id}"), &[]).await {
                Err(e) if e.starts_with("HTTP/1.1 404 ") => {
                    refused = true;
                    break;
                }
                _ => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
        assert!(refused, "the session outlived its tap");
        let _c = Tap::open(&server).await;
    });
}

/// The next frame from the tap that is not a record (records are text; pings are answered).
async fn next_control(client: &mut Client) -> Option<ws::Frame> {
    loop {
        let frame = client.recv().await?;
        match frame.opcode {
            TEXT => continue,
            PING if frame.payload == b"tap" => client.send(PONG, &frame.payload).await,
            _ => return Some(frame),
        }
    }
}

#[test]
fn the_tap_answers_its_own_frames_as_echo_does() {
    // The same endpoint step as /echo: a ping gets a pong with its payload, a close is echoed
    // with its code and reason, a violation gets a close with its code.
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut tap = Tap::open(&server).await;
        tap.client.send(PING, b"hello tap").await;
        let pong = next_control(&mut tap.client).await.expect("a pong");
        assert_eq!(
            (pong.opcode, pong.payload.as_slice()),
            (PONG, &b"hello tap"[..])
        );
        let mut payload = 4000u16.to_be_bytes().to_vec();
        payload.extend_from_slice(b"bye");
        tap.client.send(CLOSE, &payload).await;
        let close = next_control(&mut tap.client).await.expect("a close");
        assert_eq!(close.close(), Some((4000, "bye".to_owned())));
        assert!(tap.client.recv().await.is_none(), "the tap's TCP is closed");

        let mut tap = Tap::open(&server).await;
        use tokio::io::AsyncWriteExt;
        // A reserved opcode, then a ping in the same write: the close only, no pong after it.
        let mut bytes = ws::client_frame(true, false, 0x3, b"x", [1, 2, 3, 4]);
        bytes.extend(ws::client_frame(true, false, PING, b"late", [1, 2, 3, 4]));
        tap.client.stream.write_all(&bytes).await.unwrap();
        let close = next_control(&mut tap.client).await.expect("a close");
        assert_eq!(close.close(), Some((1002, "reserved-opcode".to_owned())));
        // The server waits for the tap's close, then ends the connection.
        tap.client.send(CLOSE, &1002u16.to_be_bytes()).await;
        assert!(next_control(&mut tap.client).await.is_none());
    });
}

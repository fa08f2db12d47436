//! `/echo` over RFC 6455 with a client written apart from the core (tests/server_support/ws.rs):
//! handshake refusals, echo of every kind, deflate, subprotocols, closes, violations, limits.
#![cfg(not(target_arch = "wasm32"))]

mod server_support;

use std::io::Write;
use std::time::{Duration, Instant};

use server_support::ws::{self, Client, BINARY, CLOSE, CONTINUATION, PING, PONG, TEXT};
use server_support::{read_to_close, runtime, upgrade_request, Response, Server};

fn refusal(server: &Server, request: &str) -> Response {
    Response::parse(&server.exchange(request.as_bytes()))
}

#[test]
fn malformed_and_non_websocket_requests_get_400_naming_the_rule() {
    let server = Server::start(&[]);
    let cases = [
        (
            "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
            "bad-upgrade",
        ),
        (
            upgrade_request("/echo", &[]).replace("Upgrade: websocket", "Upgrade: h2c"),
            "bad-upgrade",
        ),
        (
            upgrade_request("/echo", &[]).replace("Connection: Upgrade", "Connection: keep-alive"),
            "bad-connection",
        ),
        (
            upgrade_request("/echo", &[]).replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="),
            "bad-key",
        ),
        (
            upgrade_request("/echo", &[]).replace("GET", "POST"),
            "method-not-get",
        ),
        (
            upgrade_request("/echo", &[]).replace("Host: 127.0.0.1\r\n", ""),
            "missing-host",
        ),
        (
            "GET /echo HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".to_owned(),
            "malformed-http",
        ),
    ];
    for (request, rule) in cases {
        let res = refusal(&server, &request);
        assert_eq!(res.status, 400, "{rule}: {}", res.head);
        assert!(
            res.body_text().contains(rule),
            "{rule}: body {:?}",
            res.body_text()
        );
    }
}

#[test]
fn a_wrong_version_gets_426_with_version_13() {
    let server = Server::start(&[]);
    let request = upgrade_request("/echo", &[])
        .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
    let res = refusal(&server, &request);
    assert_eq!(res.status, 426, "{}", res.head);
    assert_eq!(res.header("sec-websocket-version"), Some("13"));
    assert!(
        res.body_text().contains("bad-version"),
        "{}",
        res.body_text()
    );
}

#[test]
fn a_handshake_head_over_8_kib_gets_431() {
    let server = Server::start(&[]);
    let filler = format!("X-Filler: {}", "a".repeat(9000));
    let res = refusal(&server, &upgrade_request("/echo", &[&filler]));
    assert_eq!(res.status, 431);
}

#[test]
fn the_101_answer_carries_the_rfc_accept_value() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        assert!(client.response.starts_with("HTTP/1.1 101 "));
        assert_eq!(
            ws::header(&client.response, "sec-websocket-accept"),
            Some(ws::ACCEPT)
        );
        assert_eq!(
            ws::header(&client.response, "sec-websocket-extensions"),
            None
        );
        assert_eq!(ws::header(&client.response, "sec-websocket-protocol"), None);
    });
}

#[test]
fn text_and_binary_messages_come_back_with_their_kind_at_every_length_encoding() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        let mut seed = 7u64;
        for len in [0usize, 1, 125, 126, 127, 65535, 65536, 100_000] {
            let data: Vec<u8> = (0..len).map(|_| ws::xorshift(&mut seed) as u8).collect();
            client.send(BINARY, &data).await;
            let (opcode, rsv1, got, _) = client.recv_message().await.unwrap();
            assert_eq!((opcode, rsv1, got.len()), (BINARY, false, len));
            assert_eq!(got, data);
            let text: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            client.send(TEXT, text.as_bytes()).await;
            let (opcode, _, got, _) = client.recv_message().await.unwrap();
            assert_eq!(opcode, TEXT);
            assert_eq!(got, text.as_bytes());
        }
    });
}

#[test]
fn a_fragmented_message_with_a_ping_between_fragments_is_echoed_whole_after_the_pong() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        // "é" split across two frames: valid once joined.
        client.send_frame(false, false, TEXT, b"caf\xc3").await;
        client.send_frame(true, false, PING, b"between").await;
        client.send_frame(true, false, CONTINUATION, b"\xa9!").await;
        let pong = client.recv().await.unwrap();
        assert_eq!(
            (pong.opcode, pong.payload.as_slice(), pong.masked),
            (PONG, &b"between"[..], false)
        );
        let (opcode, _, got, _) = client.recv_message().await.unwrap();
        assert_eq!((opcode, got.as_slice()), (TEXT, "café!".as_bytes()));
    });
}

#[test]
fn a_close_is_echoed_with_its_code_and_reason_then_the_server_closes_tcp() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        for code in [1000u16, 1001, 3000, 4999] {
            let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
            let mut payload = code.to_be_bytes().to_vec();
            payload.extend_from_slice(b"bye");
            client.send(CLOSE, &payload).await;
            let close = client.recv().await.unwrap();
            assert_eq!(close.close(), Some((code, "bye".to_owned())));
            assert!(
                client.recv().await.is_none(),
                "the server closes the TCP connection"
            );
        }
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        client.send(CLOSE, b"").await;
        let close = client.recv().await.unwrap();
        assert_eq!((close.opcode, close.payload.len()), (CLOSE, 0));
    });
}

/// (frame bytes from the client, the close code the server must answer with)
fn violating_frames() -> Vec<(&'static str, Vec<u8>, u16)> {
    let key = [1, 2, 3, 4];
    let unmasked_text = vec![0x81, 0x02, b'h', b'i'];
    let mut reserved_bits = ws::client_frame(true, false, TEXT, b"x", key);
    reserved_bits[0] |= 0x20;
    vec![
        (
            "reserved-opcode",
            ws::client_frame(true, false, 0x3, b"x", key),
            1002,
        ),
        ("reserved-bits", reserved_bits, 1002),
        ("unmasked-client-frame", unmasked_text, 1002),
        (
            "control-frame-too-long",
            ws::client_frame(true, false, PING, &[0u8; 126], key),
            1002,
        ),
        (
            "fragmented-control-frame",
            ws::client_frame(false, false, PING, b"p", key),
            1002,
        ),
        (
            "unexpected-continuation",
            ws::client_frame(true, false, CONTINUATION, b"c", key),
            1002,
        ),
        (
            "invalid-utf8",
            ws::client_frame(true, false, TEXT, b"\xff", key),
            1007,
        ),
        (
            "invalid-close-code",
            ws::client_frame(true, false, CLOSE, &1005u16.to_be_bytes(), key),
            1002,
        ),
        (
            "close-payload-too-short",
            ws::client_frame(true, false, CLOSE, &[3], key),
            1002,
        ),
        (
            "rsv1 without deflate",
            ws::client_frame(true, true, TEXT, b"x", key),
            1002,
        ),
    ]
}

#[test]
fn each_protocol_violation_is_answered_with_its_close_code() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        for (name, bytes, code) in violating_frames() {
            let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
            use tokio::io::AsyncWriteExt;
            client.stream.write_all(&bytes).await.unwrap();
            let close = client
                .recv()
                .await
                .unwrap_or_else(|| panic!("{name}: no close"));
            let (got, reason) = close.close().unwrap_or_else(|| panic!("{name}: {close:?}"));
            assert_eq!(got, code, "{name}: {reason}");
        }
    });
}

#[test]
fn frames_after_a_violation_in_the_same_read_are_not_answered() {
    // Frames are walked in wire order: the pong before the violation, the close for it, and
    // nothing for the ping after it.
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        let key = [1, 2, 3, 4];
        let mut bytes = ws::client_frame(true, false, PING, b"first", key);
        bytes.extend(ws::client_frame(true, false, 0x3, b"x", key));
        bytes.extend(ws::client_frame(true, false, PING, b"late", key));
        use tokio::io::AsyncWriteExt;
        client.stream.write_all(&bytes).await.unwrap();
        let pong = client.recv().await.unwrap();
        assert_eq!(
            (pong.opcode, pong.payload.as_slice()),
            (PONG, &b"first"[..])
        );
        let close = client.recv().await.unwrap();
        assert_eq!(close.close(), Some((1002, "reserved-opcode".to_owned())));
        client.send(CLOSE, &1002u16.to_be_bytes()).await;
        assert!(client.recv().await.is_none(), "nothing after the close");
    });
}

#[test]
fn a_message_over_the_limit_is_closed_with_1009_before_it_is_buffered() {
    runtime().block_on(async {
        let server = Server::start(&["--max-message", "1000"]);
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        client.send(BINARY, &[1u8; 1000]).await;
        assert_eq!(client.recv_message().await.unwrap().2.len(), 1000);
        // Over the limit across fragments.
        client.send_frame(false, false, BINARY, &[2u8; 600]).await;
        client
            .send_frame(true, false, CONTINUATION, &[3u8; 600])
            .await;
        assert_eq!(
            client.recv().await.unwrap().close().map(|c| c.0),
            Some(1009)
        );

        // A header claiming 2^62 bytes, and a few of them: refused at once.
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        let mut huge = vec![0x82, 0xFF];
        huge.extend_from_slice(&(1u64 << 62).to_be_bytes());
        huge.extend_from_slice(&[0, 0, 0, 0, 9, 9, 9]);
        use tokio::io::AsyncWriteExt;
        client.stream.write_all(&huge).await.unwrap();
        assert_eq!(
            client.recv().await.unwrap().close().map(|c| c.0),
            Some(1009)
        );
    });
}

#[test]
fn a_16_mib_limit_is_the_default() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        let mut header = vec![0x82, 0xFF];
        header.extend_from_slice(&(16u64 * 1024 * 1024 + 1).to_be_bytes());
        header.extend_from_slice(&[0, 0, 0, 0]);
        use tokio::io::AsyncWriteExt;
        client.stream.write_all(&header).await.unwrap();
        assert_eq!(
            client.recv().await.unwrap().close().map(|c| c.0),
            Some(1009)
        );
    });
}

#[test]
fn an_idle_client_is_closed_with_1001() {
    runtime().block_on(async {
        let server = Server::start(&["--idle-timeout", "0.5", "--close-timeout", "1"]);
        let mut client = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        let start = Instant::now();
        let close = client.recv().await.unwrap();
        assert_eq!(close.close().map(|c| c.0), Some(1001));
        assert!(
            start.elapsed() >= Duration::from_millis(400)
                && start.elapsed() < Duration::from_secs(5)
        );
        // The client does not answer: the server drops it after the close timeout.
        assert!(client.recv().await.is_none());
        assert!(start.elapsed() < Duration::from_secs(5));
    });
}

#[test]
fn subprotocol_is_picked_from_the_query_among_those_offered() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let offer = "Sec-WebSocket-Protocol: superchat, chat";
        let client = Client::connect(server.addr, "/echo?protocol=chat", &[offer])
            .await
            .unwrap();
        assert_eq!(
            ws::header(&client.response, "sec-websocket-protocol"),
            Some("chat")
        );
        let client = Client::connect(server.addr, "/echo?protocol=mqtt,superchat", &[offer])
            .await
            .unwrap();
        assert_eq!(
            ws::header(&client.response, "sec-websocket-protocol"),
            Some("superchat")
        );
        let client = Client::connect(server.addr, "/echo?protocol=mqtt", &[offer])
            .await
            .unwrap();
        assert_eq!(ws::header(&client.response, "sec-websocket-protocol"), None);
        let client = Client::connect(server.addr, "/echo", &[offer])
            .await
            .unwrap();
        assert_eq!(ws::header(&client.response, "sec-websocket-protocol"), None);
    });
}

fn inflate(data: &[u8], inflater: &mut flate2::Decompress) -> Vec<u8> {
    let mut input = data.to_vec();
    input.extend_from_slice(&[0, 0, 0xFF, 0xFF]);
    let mut out = Vec::with_capacity(input.len() * 20 + 1024);
    inflater
        .decompress_vec(&input, &mut out, flate2::FlushDecompress::Sync)
        .unwrap();
    out
}

fn deflate(data: &[u8], compressor: &mut flate2::Compress) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1024);
    compressor
        .compress_vec(data, &mut out, flate2::FlushCompress::Sync)
        .unwrap();
    assert!(out.ends_with(&[0, 0, 0xFF, 0xFF]));
    out.truncate(out.len() - 4);
    out
}

#[test]
fn permessage_deflate_is_negotiated_honouring_the_offer_and_round_trips() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        for (offer, answer, takeover) in [
            (
                "permessage-deflate; client_max_window_bits",
                "permessage-deflate",
                true,
            ),
            (
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                false,
            ),
            // The first acceptable offer wins: an unknown parameter declines the first.
            (
                "permessage-deflate; bogus, permessage-deflate",
                "permessage-deflate",
                true,
            ),
        ] {
            let header = format!("Sec-WebSocket-Extensions: {offer}");
            let mut client = Client::connect(server.addr, "/echo", &[&header])
                .await
                .unwrap();
            assert_eq!(
                ws::header(&client.response, "sec-websocket-extensions"),
                Some(answer),
                "{offer}"
            );
            let mut compressor = flate2::Compress::new(flate2::Compression::default(), false);
            let mut inflater = flate2::Decompress::new(false);
            for i in 0..5 {
                let text = format!("round {i}: {}", "the same words again ".repeat(20));
                let payload = deflate(text.as_bytes(), &mut compressor);
                client.send_frame(true, true, TEXT, &payload).await;
                let (opcode, rsv1, got, _) = client.recv_message().await.unwrap();
                assert!(rsv1 && opcode == TEXT, "{offer}");
                assert!(got.len() < text.len());
                if !takeover {
                    inflater.reset(false);
                }
                assert_eq!(
                    inflate(&got, &mut inflater),
                    text.as_bytes(),
                    "{offer} round {i}"
                );
                if !takeover {
                    compressor.reset();
                }
            }
            // An uncompressed message is fine too, and comes back compressed.
            client.send(BINARY, &[7u8; 300]).await;
            let (_, rsv1, got, _) = client.recv_message().await.unwrap();
            assert!(rsv1);
            if !takeover {
                inflater.reset(false);
            }
            assert_eq!(inflate(&got, &mut inflater), vec![7u8; 300]);
        }
    });
}

#[test]
fn a_small_server_window_is_honoured_and_deflate_0_refuses() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let header = "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9";
        let mut client = Client::connect(server.addr, "/echo", &[header])
            .await
            .unwrap();
        assert_eq!(
            ws::header(&client.response, "sec-websocket-extensions"),
            Some("permessage-deflate; server_max_window_bits=9")
        );
        // 512 bytes fit the window: compressed. 2000 do not: sent as they are.
        client.send(BINARY, &[5u8; 512]).await;
        assert!(client.recv_message().await.unwrap().1);
        client.send(BINARY, &[5u8; 2000]).await;
        let (_, rsv1, got, _) = client.recv_message().await.unwrap();
        assert!(!rsv1);
        assert_eq!(got, vec![5u8; 2000]);

        let header = "Sec-WebSocket-Extensions: permessage-deflate";
        let client = Client::connect(server.addr, "/echo?deflate=0", &[header])
            .await
            .unwrap();
        assert_eq!(
            ws::header(&client.response, "sec-websocket-extensions"),
            None
        );
    });
}

#[test]
fn a_client_vanishing_mid_frame_or_sending_garbage_does_not_disturb_another() {
    runtime().block_on(async {
        let server = Server::start(&[]);
        let mut steady = Client::connect(server.addr, "/echo", &[]).await.unwrap();
        for i in 0..20u8 {
            let mut vanishing = Client::connect(server.addr, "/echo", &[]).await.unwrap();
            let frame = ws::client_frame(true, false, BINARY, &[i; 1000], [9, 9, 9, 9]);
            use tokio::io::AsyncWriteExt;
            vanishing.stream.write_all(&frame[..500]).await.unwrap();
            drop(vanishing);
            let mut garbage = tokio::net::TcpStream::connect(server.addr).await.unwrap();
            let _ = garbage.write_all(&[i, 0xFF, 0x00, 0x13, 0x37]).await;
            drop(garbage);
            steady
                .send(TEXT, format!("still here {i}").as_bytes())
                .await;
            let (_, _, got, _) = steady.recv_message().await.unwrap();
            assert_eq!(got, format!("still here {i}").as_bytes());
        }
    });
}

#[test]
fn a_client_sending_its_handshake_one_byte_at_a_time_slowly_is_dropped() {
    let server = Server::start(&["--handshake-timeout", "1"]);
    let mut slow = server.connect();
    let request = upgrade_request("/echo", &[]);
    let start = Instant::now();
    let mut failed = false;
    for b in request.as_bytes().iter().take(15) {
        if slow.write_all(&[*b]).is_err() {
            failed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if !failed {
        slow.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        assert!(read_to_close(&mut slow).is_empty());
    }
    assert!(start.elapsed() < Duration::from_secs(8));
}

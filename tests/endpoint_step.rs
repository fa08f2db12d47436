//! The endpoint step without I/O: decoded output in, frames to send, messages and a close
//! decision out, one case per rule the server's loops rely on.

use wsinspect::encode::{encode_frame, FrameSpec};
use wsinspect::endpoint_step::{truncate_utf8, Decision, Event, Responder, Step};
use wsinspect::{DecodeOptions, Decoder, MessageKind, Protocol, Role, ViolationId};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A decoder for a client's frames and a responder beside it, as the server holds them.
struct Server {
    decoder: Decoder,
    responder: Responder,
}

impl Server {
    fn new(protocol: Protocol, max_message: Option<u64>) -> Self {
        let options = DecodeOptions {
            role: Role::Client,
            protocol,
            max_message_size: max_message,
            ..DecodeOptions::default()
        };
        Server {
            decoder: Decoder::new(options).unwrap(),
            responder: Responder::new(protocol),
        }
    }

    fn rfc6455() -> Self {
        Self::new(Protocol::Rfc6455, None)
    }

    fn push(&mut self, bytes: &[u8]) -> Step {
        let out = self.decoder.push(bytes);
        self.responder.step(out)
    }
}

/// A masked client frame.
fn client(spec: FrameSpec) -> Vec<u8> {
    encode_frame(&spec.masked(KEY))
}

fn messages(step: &Step) -> Vec<Vec<u8>> {
    step.events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m.data.to_vec()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_ping_is_answered_with_a_pong_carrying_the_same_payload() {
    let mut server = Server::rfc6455();
    let step = server.push(&client(FrameSpec::ping(*b"are you there")));
    assert_eq!(
        step.events,
        [Event::Send(FrameSpec::pong(*b"are you there"))]
    );
    assert_eq!(step.decision, Decision::Open);
    assert_eq!(step.failed, None);
    // The pong's bytes: 0x8A, length 13, unmasked.
    let Event::Send(pong) = &step.events[0] else {
        unreachable!()
    };
    assert_eq!(&encode_frame(pong)[..2], [0x8A, 13]);
}

#[test]
fn a_close_is_echoed_with_its_code_and_reason_and_ends_the_connection() {
    let mut server = Server::rfc6455();
    let step = server.push(&client(FrameSpec::close(4001, "bye")));
    assert_eq!(step.events, [Event::Send(FrameSpec::close(4001, "bye"))]);
    assert!(matches!(step.decision, Decision::Closed(_)), "{step:?}");
    assert!(server.responder.sent_close() && server.responder.received_close());

    // A close without a code is answered with an empty close.
    let mut server = Server::rfc6455();
    let step = server.push(&client(FrameSpec::close_empty()));
    assert_eq!(step.events, [Event::Send(FrameSpec::close_empty())]);
    assert!(matches!(step.decision, Decision::Closed(_)));
}

#[test]
fn a_violation_closes_with_its_close_code_and_the_id_as_reason() {
    for (bytes, id, code) in [
        (
            client(FrameSpec::new(0x3, *b"x")),
            ViolationId::ReservedOpcode,
            1002,
        ),
        // Sent unmasked.
        (
            encode_frame(&FrameSpec::text("ok")),
            ViolationId::UnmaskedClientFrame,
            1002,
        ),
        (
            client(FrameSpec::new(0x1, *b"\xff")),
            ViolationId::InvalidUtf8,
            1007,
        ),
        (
            client(FrameSpec::new(0x8, 1005u16.to_be_bytes())),
            ViolationId::InvalidCloseCode,
            1002,
        ),
    ] {
        let mut server = Server::rfc6455();
        let step = server.push(&bytes);
        let failed = step.failed.as_ref().expect("a violation");
        assert_eq!(failed.id, id);
        assert_eq!(
            step.events,
            [Event::Send(FrameSpec::close(code, id.as_str()))],
            "{id:?}"
        );
        assert!(step.note.as_deref().unwrap().contains(id.as_str()));
        assert!(server.responder.sent_close());
        if id == ViolationId::InvalidCloseCode {
            // The peer's close, although broken, was its close: no second one will come.
            assert!(matches!(step.decision, Decision::Closed(_)), "{step:?}");
        } else {
            assert_eq!(step.decision, Decision::Closing, "{id:?}");
        }
    }
}

#[test]
fn a_message_over_the_limit_is_closed_with_1009_from_its_header_alone() {
    let mut server = Server::new(Protocol::Rfc6455, Some(1000));
    // Only the header of a 2000-byte binary frame: the payload is still to come.
    let mut header = vec![0x82, 0x80 | 126];
    header.extend_from_slice(&2000u16.to_be_bytes());
    header.extend_from_slice(&KEY);
    let step = server.push(&header);
    assert_eq!(
        step.failed.as_ref().map(|v| v.id),
        Some(ViolationId::MessageTooBig)
    );
    assert_eq!(
        step.events,
        [Event::Send(FrameSpec::close(1009, "message-too-big"))]
    );
    assert_eq!(step.decision, Decision::Closing);
}

#[test]
fn frames_are_walked_in_wire_order() {
    // A fragmented message with a ping between its fragments, then a second message and a
    // ping: the pong comes before the first message, the second message before the second pong.
    let mut server = Server::rfc6455();
    let mut first = FrameSpec::text("hel");
    first.fin = false;
    let mut bytes = client(first);
    bytes.extend(client(FrameSpec::ping(*b"1")));
    bytes.extend(client(FrameSpec::new(0x0, *b"lo")));
    bytes.extend(client(FrameSpec::binary(*b"two")));
    bytes.extend(client(FrameSpec::ping(*b"2")));
    let step = server.push(&bytes);
    let shape: Vec<String> = step
        .events
        .iter()
        .map(|e| match e {
            Event::Send(f) => format!("send {:x} {:?}", f.opcode, f.payload),
            Event::Message(m) => format!("{} {:?}", m.kind.as_str(), m.data),
            Event::SendHixieClose => "hixie close".into(),
        })
        .collect();
    assert_eq!(
        shape,
        [
            "send a [49]",
            "text [104, 101, 108, 108, 111]",
            "binary [116, 119, 111]",
            "send a [50]",
        ]
    );
    // A violation stops the answers at its frame: the ping after it is not answered.
    let mut server = Server::rfc6455();
    let mut bytes = client(FrameSpec::ping(*b"a"));
    bytes.extend(client(FrameSpec::new(0xB, *b"")));
    bytes.extend(client(FrameSpec::ping(*b"b")));
    let step = server.push(&bytes);
    assert_eq!(
        step.events,
        [
            Event::Send(FrameSpec::pong(*b"a")),
            Event::Send(FrameSpec::close(1002, "reserved-opcode")),
        ]
    );
}

#[test]
fn nothing_is_answered_or_delivered_after_our_close() {
    let mut server = Server::rfc6455();
    let close = server.responder.close(Some(1001), "idle timeout");
    assert_eq!(close, FrameSpec::close(1001, "idle timeout"));
    let mut bytes = client(FrameSpec::ping(*b"p"));
    bytes.extend(client(FrameSpec::text("late")));
    let step = server.push(&bytes);
    assert_eq!(step.events, []);
    assert_eq!(step.decision, Decision::Closing);
    // The peer's close ends it, unanswered.
    let step = server.push(&client(FrameSpec::close(1001, "")));
    assert_eq!(step.events, []);
    assert!(
        matches!(&step.decision, Decision::Closed(why) if why.contains("answered")),
        "{step:?}"
    );

    // A violation after our close ends the connection without a second close.
    let mut server = Server::rfc6455();
    server.responder.closing();
    let step = server.push(&client(FrameSpec::new(0x3, *b"x")));
    assert_eq!(step.events, []);
    assert!(
        matches!(&step.decision, Decision::Closed(why) if why.contains("reserved-opcode after the close")),
        "{step:?}"
    );
    assert_eq!(step.failed, None);
}

#[test]
fn a_long_close_reason_is_cut_on_a_character_boundary() {
    let mut responder = Responder::new(Protocol::Rfc6455);
    let reason = "é".repeat(100);
    let close = responder.close(Some(1000), &reason);
    assert_eq!(close.payload.len(), 2 + 122);
    assert!(std::str::from_utf8(&close.payload[2..]).is_ok());
    assert_eq!(truncate_utf8("abc", 5), "abc");
    assert_eq!(truncate_utf8("aé", 2), "a");
    assert_eq!(truncate_utf8("aé", 3), "aé");
}

#[test]
fn hixie76_echoes_the_closing_frame_and_closes_on_a_violation() {
    // draft-hixie-76 §4.2: a text frame, then the closing frame 0xFF 0x00.
    let mut server = Server::new(Protocol::Hixie76, None);
    let step = server.push(b"\x00hi\xff\xff\x00");
    assert_eq!(step.events.len(), 2, "{step:?}");
    assert!(
        matches!(&step.events[0], Event::Message(m) if m.kind == MessageKind::Text && m.data == b"hi")
    );
    assert_eq!(step.events[1], Event::SendHixieClose);
    assert!(matches!(step.decision, Decision::Closed(_)));

    // A frame type with no meaning in hixie-76: the closing frame, and the connection is over.
    let mut server = Server::new(Protocol::Hixie76, None);
    let step = server.push(b"\x00ok\xff\x05x\xff");
    assert_eq!(messages(&step), [b"ok".to_vec()]);
    assert_eq!(step.events.last(), Some(&Event::SendHixieClose));
    assert!(step.failed.is_some());
    assert!(matches!(step.decision, Decision::Closed(_)), "{step:?}");
}

#[test]
fn a_second_violation_in_the_same_read_ends_the_connection_without_a_second_close() {
    let mut server = Server::rfc6455();
    let mut bytes = client(FrameSpec::new(0x3, *b"x"));
    bytes.extend(client(FrameSpec::new(0x8, 1005u16.to_be_bytes())));
    let step = server.push(&bytes);
    assert_eq!(
        step.events,
        [Event::Send(FrameSpec::close(1002, "reserved-opcode"))]
    );
    assert_eq!(
        step.failed.as_ref().map(|v| v.id),
        Some(ViolationId::ReservedOpcode)
    );
    assert!(
        matches!(&step.decision, Decision::Closed(why) if why.starts_with("invalid-close-code after the close")),
        "{step:?}"
    );
}

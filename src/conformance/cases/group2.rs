//! Group 2, pings and pongs (RFC 6455 §5.5.2, §5.5.3): a ping is answered by a pong with
//! its payload; a control frame's payload is at most 125 bytes (§5.5); an unsolicited pong
//! needs no answer.

use crate::conformance::case::{frame, frame_with, op, Case, Event, ExpectedClose, Step, Write};

pub fn cases() -> Vec<Case> {
    let ping = |id: &str, payload: Vec<u8>, what: &str, write: Write, after: u64| {
        Case::new(
            id,
            &format!("Send a ping with {what}."),
            "The peer answers with a pong carrying the same payload; a clean close with 1000.",
            vec![
                frame_with(op::PING, payload.clone(), true, 0, write),
                Step::CloseAfter(after),
            ],
            vec![Event::Pong(payload)],
            ExpectedClose::tester_normal(),
        )
    };
    let payloads: Vec<Vec<u8>> = (0..10)
        .map(|i| format!("payload-{i}").into_bytes())
        .collect();
    let pings = |write: Write| -> Vec<Step> {
        let mut steps: Vec<Step> = payloads
            .iter()
            .map(|p| frame_with(op::PING, p.clone(), true, 0, write))
            .collect();
        steps.push(Step::CloseAfter(3000));
        steps
    };
    let pongs: Vec<Event> = payloads.iter().cloned().map(Event::Pong).collect();
    vec![
        ping("2.1", Vec::new(), "an empty payload", Write::Together, 1000),
        ping("2.2", b"Hello, world!".to_vec(), "a short text payload", Write::Together, 1000),
        ping("2.3", vec![0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff], "a short binary payload", Write::Together, 1000),
        ping("2.4", vec![0xfe; 125], "a binary payload of 125 bytes", Write::Together, 1000),
        Case::new(
            "2.5",
            "Send a ping with a payload of 126 bytes (over the 125 a control frame may carry).",
            "The peer fails the connection (1002).",
            vec![frame(op::PING, vec![0xfe; 126]), Step::KillAfter(1000)],
            vec![],
            ExpectedClose::peer(&[1002]),
        ),
        ping("2.6", vec![0xfe; 125], "a payload of 125 bytes, written one byte at a time", Write::Chopped(1), 2000),
        Case::new(
            "2.7",
            "Send an unsolicited pong with an empty payload, then a close.",
            "The peer ignores the pong and answers the close; a clean close with 1000.",
            vec![
                frame(op::PONG, Vec::new()),
                Step::Close { code: Some(1000), reason: Vec::new() },
                Step::CloseAfter(1000),
            ],
            vec![],
            ExpectedClose::tester_normal(),
        ),
        Case::new(
            "2.8",
            "Send an unsolicited pong with a payload, then a close.",
            "The peer ignores the pong and answers the close; a clean close with 1000.",
            vec![
                frame(op::PONG, b"unsolicited pong payload".to_vec()),
                Step::Close { code: Some(1000), reason: Vec::new() },
                Step::CloseAfter(1000),
            ],
            vec![],
            ExpectedClose::tester_normal(),
        ),
        Case::new(
            "2.9",
            "Send an unsolicited pong, then a ping.",
            "The peer ignores the pong and answers the ping; a clean close with 1000.",
            vec![
                frame(op::PONG, b"unsolicited pong payload".to_vec()),
                frame(op::PING, b"ping payload".to_vec()),
                Step::CloseAfter(1000),
            ],
            vec![Event::Pong(b"ping payload".to_vec())],
            ExpectedClose::tester_normal(),
        ),
        Case::new(
            "2.10",
            "Send 10 pings back to back.",
            "The peer answers each with its pong, in order (a peer that answers only the last fails here, as in Autobahn's suite); a clean close with 1000.",
            pings(Write::Together),
            pongs.clone(),
            ExpectedClose::tester_normal(),
        ),
        Case::new(
            "2.11",
            "Send 10 pings, each written one byte at a time.",
            "The peer answers each with its pong, in order; a clean close with 1000.",
            pings(Write::Chopped(1)),
            pongs,
            ExpectedClose::tester_normal(),
        ),
    ]
}

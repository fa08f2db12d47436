//! Group 6, UTF-8 (RFC 6455 §5.6: "The "Payload data" is text data encoded as UTF-8"; §8.1:
//! "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream
//! is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
//! Connection_", with 1007, §7.4.1). Valid text is echoed whole however it is fragmented;
//! invalid text must make the peer close: when the tester has to close instead, the peer
//! did not notice, and the case fails (closedByWrongEndpointIsFatal).
//!
//! 6.1 to 6.4 are written out here; 6.5 to 6.23 are one text frame each, from the
//! payloads of [`super::group6_utf8`].

use super::group6_utf8::{bytes, FAMILIES};
use crate::conformance::case::{
    frame, frame_with, op, Behavior, Case, Event, ExpectedClose, Step, Write,
};

/// "Hello-µ@ßöäüàá-UTF-8!!": 29 bytes, code points of one and two bytes.
const HELLO_UTF8: &str = "48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121";
/// "κόσμε": 11 bytes, code points of two and three bytes (Kuhn's first example).
const KOSME: &str = "cebae1bdb9cf83cebcceb5";
/// "κόσμε", a lone high surrogate U+D800 (`ed a0 80`, invalid at its `a0`), "edited".
const KOSME_SURROGATE: &str = "cebae1bdb9cf83cebcceb5eda080656469746564";
/// "κόσμε", then U+110000 in the form of a four-byte sequence (`f4 90 80 80`, beyond the
/// last code point: invalid at its `90`), then "edited": 21 bytes, the first invalid one at
/// index 12.
const KOSME_BEYOND: &str = "cebae1bdb9cf83cebcceb5f4908080656469746564";

const ECHOED: &str = "The peer echoes the message; a clean close with 1000.";
const INVALID: &str =
    "The peer fails the connection at once (1007): a text message must be valid UTF-8.";

/// The peer must fail the connection with 1007 (or drop TCP); the tester closing instead
/// fails the events verdict too.
fn peer_fails() -> ExpectedClose {
    ExpectedClose {
        wrong_endpoint_fatal: true,
        ..ExpectedClose::peer(&[1007])
    }
}

fn text(hex: &str, fragment: usize) -> Step {
    Step::Message {
        opcode: op::TEXT,
        payload: bytes(hex),
        fragment,
    }
}

fn echo(id: &str, description: &str, mut steps: Vec<Step>, payload: Vec<u8>) -> Case {
    steps.push(Step::CloseAfter(1000));
    Case::new(
        id,
        description,
        ECHOED,
        steps,
        vec![Event::text(payload)],
        ExpectedClose::tester_normal(),
    )
}

pub fn cases() -> Vec<Case> {
    let mut cases = vec![
        echo("6.1.1", "Send an empty text message.", vec![frame(op::TEXT, Vec::new())], Vec::new()),
        echo(
            "6.1.2",
            "Send a text message in three empty fragments.",
            vec![
                frame_with(op::TEXT, Vec::new(), false, 0, Write::Together),
                frame_with(op::CONT, Vec::new(), false, 0, Write::Together),
                frame(op::CONT, Vec::new()),
            ],
            Vec::new(),
        ),
        echo(
            "6.1.3",
            "Send a text message in three fragments, the first and last empty.",
            vec![
                frame_with(op::TEXT, Vec::new(), false, 0, Write::Together),
                frame_with(op::CONT, b"middle frame payload".to_vec(), false, 0, Write::Together),
                frame(op::CONT, Vec::new()),
            ],
            b"middle frame payload".to_vec(),
        ),
        echo(
            "6.2.1",
            &format!("Send a text message of valid UTF-8 in one frame.<br><br>Payload: 0x{HELLO_UTF8}"),
            vec![text(HELLO_UTF8, 0)],
            bytes(HELLO_UTF8),
        ),
        echo(
            "6.2.2",
            &format!("Send a text message of valid UTF-8 in two fragments split between code points.<br><br>Payload: 0x{HELLO_UTF8}"),
            vec![
                frame_with(op::TEXT, bytes(&HELLO_UTF8[..30]), false, 0, Write::Together),
                frame(op::CONT, bytes(&HELLO_UTF8[30..])),
            ],
            bytes(HELLO_UTF8),
        ),
        echo(
            "6.2.3",
            &format!("Send a text message of valid UTF-8 in fragments of one byte, most ending inside a code point.<br><br>Payload: 0x{HELLO_UTF8}"),
            vec![text(HELLO_UTF8, 1)],
            bytes(HELLO_UTF8),
        ),
        echo(
            "6.2.4",
            &format!("Send a text message of valid UTF-8 in fragments of one byte, most ending inside a code point.<br><br>Payload: 0x{KOSME}"),
            vec![text(KOSME, 1)],
            bytes(KOSME),
        ),
    ];
    for (id, fragment, how) in [
        ("6.3.1", 0, "in one frame"),
        ("6.3.2", 1, "in fragments of one byte"),
    ] {
        cases.push(Case::new(
            id,
            &format!("Send a text message of invalid UTF-8 (a lone surrogate inside) {how}.<br><br>Payload: 0x{KOSME_SURROGATE}"),
            INVALID,
            vec![text(KOSME_SURROGATE, fragment), Step::KillAfter(1000)],
            vec![],
            peer_fails(),
        ));
    }
    // 6.4: the text in three parts with a wait of 1 s after the first and the second; the
    // first part is valid, the second makes the text invalid.
    let fail_fast = |id: &str, (a, b): (usize, usize), streamed: bool| {
        // Hex: two characters a byte.
        let parts = [
            &KOSME_BEYOND[..2 * a],
            &KOSME_BEYOND[2 * a..2 * b],
            &KOSME_BEYOND[2 * b..],
        ];
        let (how, steps): (&str, Vec<Step>) = if streamed {
            let part = |i: usize| Step::Payload(bytes(parts[i]));
            (
                "one frame whose payload is written in three parts",
                vec![
                    Step::Header {
                        opcode: op::TEXT,
                        fin: false,
                        length: 21,
                    },
                    part(0),
                    Step::Wait(1000),
                    Step::Record(Event::Timeout("A")),
                    part(1),
                    Step::Wait(1000),
                    Step::Record(Event::Timeout("B")),
                    part(2),
                    // The message ends with an empty final continuation.
                    frame(op::CONT, Vec::new()),
                    Step::KillAfter(1000),
                ],
            )
        } else {
            let part = |i: usize, code: u8, fin: bool| {
                frame_with(code, bytes(parts[i]), fin, 0, Write::Together)
            };
            (
                "three fragments",
                vec![
                    part(0, op::TEXT, false),
                    Step::Wait(1000),
                    Step::Record(Event::Timeout("A")),
                    part(1, op::CONT, false),
                    Step::Wait(1000),
                    Step::Record(Event::Timeout("B")),
                    part(2, op::CONT, true),
                    Step::KillAfter(1000),
                ],
            )
        };
        Case {
            expected: vec![
                (Behavior::Ok, vec![Event::Timeout("A")]),
                (Behavior::NonStrict, vec![Event::Timeout("A"), Event::Timeout("B")]),
            ],
            ..Case::new(
                id,
                &format!(
                    "Send a text message of invalid UTF-8 as {how}, with a wait of 1 s after the first and the second: the first part is valid, the second holds the byte that makes the text invalid, the third the rest.<br><br>Parts: 0x{} 0x{} 0x{}",
                    parts[0], parts[1], parts[2]
                ),
                "The peer takes the first part and fails the connection (1007) as soon as the second comes (failing fast: OK); failing only once the message is whole is NON-STRICT. The timeouts A and B record that the connection was still open after the first and the second wait.",
                steps,
                vec![],
                peer_fails(),
            )
        }
    };
    // "κόσμε" | the four bytes of U+110000 | "edited"; or "κόσμε" and U+110000's lead
    // byte | its first continuation (the first invalid byte) | the rest.
    for (id, split, streamed) in [
        ("6.4.1", (11, 15), false),
        ("6.4.2", (12, 13), false),
        ("6.4.3", (11, 15), true),
        ("6.4.4", (12, 13), true),
    ] {
        cases.push(fail_fast(id, split, streamed));
    }
    for (i, family) in FAMILIES.iter().enumerate() {
        for (j, &(valid, hex)) in family.payloads.iter().enumerate() {
            let id = format!("6.{}.{}", i + 5, j + 1);
            let is = if valid { "valid" } else { "invalid" };
            let description = format!(
                "Send a text message of {is} UTF-8 in one frame: {}.<br><br>Payload: 0x{hex}",
                family.title
            );
            let steps = vec![text(hex, 0), Step::KillAfter(500)];
            cases.push(if valid {
                Case::new(
                    &id,
                    &description,
                    ECHOED,
                    steps,
                    vec![Event::text(bytes(hex))],
                    ExpectedClose::tester_normal(),
                )
            } else {
                Case::new(&id, &description, INVALID, steps, vec![], peer_fails())
            });
        }
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::cases::test_peer::{opening, run, verdicts, writes, Peer};
    use crate::conformance::tester::{Action, Side, Tester, Timer};
    use crate::{DecodeOptions, Decoder, Role};

    #[test]
    fn ids_and_sub_group_sizes() {
        let cases = cases();
        let mut sizes: Vec<(u32, usize)> = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let key = case.key();
            match sizes.last_mut() {
                Some((group, n)) if *group == key[1] => *n += 1,
                _ => sizes.push((key[1], 1)),
            }
            // Numbered from 1 within the sub-group.
            assert_eq!(
                key[2] as usize,
                sizes.last().map_or(0, |s| s.1),
                "{}",
                case.id
            );
            assert_eq!(key[0], 6, "{i}");
        }
        let sizes: Vec<usize> = sizes.into_iter().map(|s| s.1).collect();
        assert_eq!(
            sizes,
            [3, 4, 2, 4, 5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7]
        );
    }

    #[test]
    fn the_payloads_and_fragments_on_the_wire() {
        let c = cases();
        let by_id = |id: &str| {
            c.iter()
                .find(|c| c.id == id)
                .cloned()
                .unwrap_or_else(|| panic!("{id}"))
        };
        // 6.2.3: 29 frames of one byte, then an empty final continuation (29 is a multiple
        // of 1).
        let sent = opening(&by_id("6.2.3"), Side::Server);
        assert_eq!(sent.len(), 30);
        assert_eq!(sent[0], [0x01, 0x01, 0x48]);
        assert_eq!(sent[1], [0x00, 0x01, 0x65]);
        assert_eq!(sent[29], [0x80, 0x00]);
        // 6.2.2: split after "ä", between code points.
        let sent = opening(&by_id("6.2.2"), Side::Server);
        assert_eq!((sent[0][1], sent[1][1]), (15, 14));
        // 6.12.8: one text frame of the continuation bytes 0x80 to 0xbe.
        let sent = opening(&by_id("6.12.8"), Side::Server);
        assert_eq!(
            sent,
            [[&[0x81, 63][..], &(0x80..=0xbe).collect::<Vec<u8>>()].concat()]
        );
        // 6.22.34 (U+10FFFF, a noncharacter) is to be echoed; 6.20.1 (U+D800) to fail.
        assert_eq!(
            by_id("6.22.34").expected[0].1,
            [Event::text([0xf4, 0x8f, 0xbf, 0xbf])]
        );
        assert_eq!(by_id("6.20.1").expected_close.codes, [1007]);
        assert!(by_id("6.20.1").expected_close.wrong_endpoint_fatal);
    }

    #[test]
    fn a_frame_streamed_across_two_waits() {
        let case = cases()
            .into_iter()
            .find(|c| c.id == "6.4.3")
            .expect("6.4.3");
        let mut tester = Tester::new(case, Side::Server, 1);
        let first = tester.open(0);
        // The header alone (text, FIN clear, 21 bytes), then the first part.
        assert_eq!(
            writes(&first)
                .into_iter()
                .map(|(b, _)| b)
                .collect::<Vec<_>>(),
            [vec![0x01, 21], bytes(KOSME)]
        );
        assert_eq!(first.last(), Some(&Action::Set(Timer::Wait(1), 1000)));
        let second = tester.timer(Timer::Wait(1), 1000);
        assert_eq!(writes(&second)[0].0, [0xf4, 0x90, 0x80, 0x80]);
        let third = tester.timer(Timer::Wait(2), 2000);
        assert_eq!(
            writes(&third)
                .into_iter()
                .map(|(b, _)| b)
                .collect::<Vec<_>>(),
            [b"edited".to_vec(), vec![0x80, 0x00]]
        );
        assert_eq!(third.last(), Some(&Action::Set(Timer::Kill, 1000)));
        // The connection stayed open through both waits.
        let (_, _, seen) = tester.finish();
        assert_eq!(seen.received, [Event::Timeout("A"), Event::Timeout("B")]);
        // The streamed frame is not counted (as in Autobahn), its final continuation is.
        assert_eq!(seen.tx_frames.get(&op::CONT), Some(&1));
        assert_eq!(seen.tx_frames.get(&op::TEXT), None);
    }

    #[test]
    fn a_client_masks_the_streamed_parts_with_the_header_s_key() {
        let case = cases()
            .into_iter()
            .find(|c| c.id == "6.4.4")
            .expect("6.4.4");
        let mut tester = Tester::new(case, Side::Client, 7);
        let mut wire = Vec::new();
        for actions in [
            tester.open(0),
            tester.timer(Timer::Wait(1), 1000),
            tester.timer(Timer::Wait(2), 2000),
        ] {
            for (bytes, _) in writes(&actions) {
                wire.extend(bytes);
            }
        }
        let mut decoder = Decoder::new(DecodeOptions {
            role: Role::Client,
            ..DecodeOptions::default()
        })
        .expect("no extensions");
        let out = decoder.push(&wire);
        assert_eq!(out.frames.len(), 2);
        assert!(out.frames[0].masking_key.is_some());
        assert_eq!(out.frames[0].payload.to_vec(), bytes(KOSME_BEYOND));
    }

    #[test]
    fn a_strict_peer_passes_and_a_lenient_one_fails() {
        for case in cases() {
            let (v, _) = run(&case, Peer::echo());
            let want = match case.id.as_str() {
                // wsinspect's decoder checks a frame's text once the frame is whole: the
                // peer fails at the end of the one streamed frame, late.
                "6.4.3" | "6.4.4" => ("NON-STRICT", "OK"),
                _ => ("OK", "OK"),
            };
            assert_eq!(verdicts(&v), want, "{}", case.id);
        }
        for case in cases() {
            let (v, seen) = run(&case, Peer::lenient());
            if case.expected_close.wrong_endpoint_fatal {
                // The peer echoes invalid text (or waits for more): the tester closes.
                assert_eq!(verdicts(&v), ("FAILED", "FAILED"), "{}", case.id);
                assert!(seen.closed_by_me, "{}", case.id);
            } else {
                assert_eq!(verdicts(&v), ("OK", "OK"), "{}", case.id);
            }
        }
    }
}

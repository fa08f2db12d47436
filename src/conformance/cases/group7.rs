//! Group 7, the closing handshake (RFC 6455 §5.5.1, §7): "If an endpoint receives a Close
//! frame and did not previously send a Close frame, the endpoint MUST send a Close frame in
//! response"; after it, "a peer discards any further data received" (§1.4); a close body
//! begins with a status code (§5.5.1), its reason is UTF-8, and §7.4 says which codes may
//! be sent. In every case the tester closes first (7.1.1 once the echo came), so the codes
//! checked are the peer's answer; a code not allowed fails the case (WRONG CODE → FAILED),
//! but for 7.1.6 and 7.13.x, whose outcomes are only informational.

use crate::conformance::case::{
    frame, frame_with, op, Behavior, Case, Event, ExpectedClose, Special, Step, Write,
};

const HELLO: &[u8] = b"Hello World!";

/// The tester has closed; the peer answers with one of `codes` (or none), cleanly when
/// `clean`.
fn answered(codes: &[u16], clean: bool) -> ExpectedClose {
    ExpectedClose {
        closed_by_me: true,
        codes: codes.to_vec(),
        require_clean: clean,
        wrong_endpoint_fatal: false,
    }
}

/// A group-7 case: no events, the tester's steps then a kill after 1 s; a wrong code fails.
fn close_case(
    id: &str,
    description: &str,
    expectation: &str,
    mut steps: Vec<Step>,
    close: ExpectedClose,
) -> Case {
    steps.push(Step::KillAfter(1000));
    Case {
        special: Special::WrongCodeFails,
        ..Case::new(id, description, expectation, steps, vec![], close)
    }
}

fn close_1000() -> Step {
    Step::Close {
        code: Some(1000),
        reason: Vec::new(),
    }
}

/// A close whose body is just this code, unchecked.
fn raw_code(code: u16) -> Step {
    Step::RawClose(code.to_be_bytes().to_vec())
}

pub fn cases() -> Vec<Case> {
    let answer_1000 =
        "The peer answers with a close (1000) and ignores what follows ours; a clean close.";
    let mut cases = vec![
        Case {
            special: Special::WrongCodeFails,
            ..Case::new(
                "7.1.1",
                "Send a text message; once it is echoed, close with 1000.",
                "The peer echoes the message, then answers the close (1000); a clean close.",
                vec![frame(op::TEXT, HELLO), Step::KillAfter(1000)],
                vec![Event::text(HELLO)],
                ExpectedClose::tester_normal(),
            )
        },
        close_case(
            "7.1.2",
            "Close with 1000, then send a second, empty close frame.",
            answer_1000,
            vec![close_1000(), frame(op::CLOSE, Vec::new())],
            answered(&[1000], true),
        ),
        close_case(
            "7.1.3",
            "Close with 1000, then send a ping.",
            "The peer answers the close (1000) and not the ping (no pong after a close); a clean close.",
            vec![close_1000(), frame(op::PING, Vec::new())],
            answered(&[1000], true),
        ),
        close_case(
            "7.1.4",
            "Close with 1000, then send a text message.",
            "The peer answers the close (1000) and does not echo the message; a clean close.",
            vec![close_1000(), frame(op::TEXT, HELLO)],
            answered(&[1000], true),
        ),
        close_case(
            "7.1.5",
            "Send the first fragment of a text message, close with 1000, then send the last fragment.",
            answer_1000,
            vec![
                frame_with(op::TEXT, b"fragment1".to_vec(), false, 0, Write::Together),
                close_1000(),
                frame(op::CONT, b"fragment2".to_vec()),
            ],
            answered(&[1000], true),
        ),
    ];
    let big: Vec<u8> = b"BAsd7&jh23"
        .iter()
        .copied()
        .cycle()
        .take(256 * 1024)
        .collect();
    cases.push(Case {
        expected: vec![
            (Behavior::Ok, vec![Event::text(HELLO)]),
            (Behavior::NonStrict, vec![]),
        ],
        special: Special::Informational,
        ..Case::new(
            "7.1.6",
            "Send a text message of 256 KiB, a short text message, a close (1000) and a ping, back to back.",
            "Informational: the spec leaves it to the peer whether its echoes of the messages go out before it acts on the close (an asynchronous peer may act on the close first and send part of the echoes, or none). OK names the short message echoed; NON-STRICT nothing echoed.",
            vec![
                frame(op::TEXT, big),
                frame(op::TEXT, HELLO),
                close_1000(),
                frame(op::PING, Vec::new()),
                Step::KillAfter(1000),
            ],
            vec![],
            answered(&[1000], true),
        )
    });
    let star = |n: usize| vec![b'*'; n];
    let with_code = |reason: &[u8]| [&1000u16.to_be_bytes()[..], reason].concat();
    cases.extend([
        close_case(
            "7.3.1",
            "Send a close with an empty body (no code, no reason).",
            "The peer answers the close (1000, or no code); a clean close.",
            vec![Step::RawClose(Vec::new())],
            answered(&[1000], true),
        ),
        close_case(
            "7.3.2",
            "Send a close with a body of 1 byte (a body begins with a 2-byte code).",
            "The peer fails the connection (1002) or drops TCP.",
            vec![Step::RawClose(b"a".to_vec())],
            answered(&[1002], false),
        ),
        close_case(
            "7.3.3",
            "Send a close with the code 1000 and no reason.",
            "The peer answers the close (1000); a clean close.",
            vec![close_1000()],
            answered(&[1000], true),
        ),
        close_case(
            "7.3.4",
            "Send a close with the code 1000 and a reason.",
            "The peer answers the close (1000); a clean close.",
            vec![Step::Close {
                code: Some(1000),
                reason: HELLO.to_vec(),
            }],
            answered(&[1000], true),
        ),
        close_case(
            "7.3.5",
            "Send a close with the code 1000 and a reason of 123 bytes (a body of 125 bytes, the most a control frame holds).",
            "The peer answers the close (1000); a clean close.",
            vec![Step::Close {
                code: Some(1000),
                reason: star(123),
            }],
            answered(&[1000], true),
        ),
        close_case(
            "7.3.6",
            "Send a close with the code 1000 and a reason of 124 bytes (a body of 126 bytes: \"All control frames MUST have a payload length of 125 bytes or less\").",
            "The peer fails the connection (1002) or drops TCP.",
            vec![Step::RawClose(with_code(&star(124)))],
            answered(&[1002], false),
        ),
        close_case(
            "7.5.1",
            "Send a close with the code 1000 and a reason that is not UTF-8 (a lone surrogate inside).<br><br>Reason: 0xcebae1bdb9cf83cebcceb5eda080656469746564",
            "The peer fails the connection (1002 or 1007) or drops TCP: a close reason is UTF-8.",
            vec![Step::RawClose(with_code(&[
                0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80,
                0x65, 0x64, 0x69, 0x74, 0x65, 0x64,
            ]))],
            answered(&[1002, 1007], false),
        ),
    ]);
    // Codes an endpoint may send (§7.4.1, and 3000-4999 for libraries, frameworks and
    // applications, §7.4.2).
    let valid = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
    ];
    for (i, code) in valid.into_iter().enumerate() {
        cases.push(close_case(
            &format!("7.7.{}", i + 1),
            &format!("Send a close with the valid code {code}."),
            &match code {
                1000 => "The peer answers the close with 1000; a clean close.".to_string(),
                _ => format!("The peer answers the close with 1000 or {code}; a clean close."),
            },
            vec![raw_code(code)],
            answered(&[1000, code], true),
        ));
    }
    // Codes no endpoint may send: below 1000, 1004-1006 (reserved, or "MUST NOT be set as a
    // status code in a Close control frame by an endpoint"), 1016-2999 unassigned.
    let invalid = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];
    for (i, code) in invalid.into_iter().enumerate() {
        cases.push(close_case(
            &format!("7.9.{}", i + 1),
            &format!("Send a close with the invalid code {code}."),
            "The peer fails the connection (1002) or drops TCP.",
            vec![raw_code(code)],
            answered(&[1002], false),
        ));
    }
    // Codes outside the ranges §7.4.2 defines: the spec says nothing of them.
    for (i, code) in [5000u16, 65535].into_iter().enumerate() {
        cases.push(Case {
            special: Special::Informational,
            ..close_case(
                &format!("7.13.{}", i + 1),
                &format!(
                    "Send a close with the code {code}, outside every range RFC 6455 defines."
                ),
                "Informational: the spec does not say what the peer does.",
                vec![raw_code(code)],
                answered(&[1000, code, 1002], false),
            )
        });
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::cases::test_peer::{opening, run, verdicts, Peer};
    use crate::conformance::tester::Side;

    #[test]
    fn ids() {
        let ids: Vec<String> = cases().into_iter().map(|c| c.id).collect();
        let mut expected: Vec<String> = Vec::new();
        for (sub, n) in [(1, 6), (3, 6), (5, 1), (7, 13), (9, 9), (13, 2)] {
            expected.extend((1..=n).map(|i| format!("7.{sub}.{i}")));
        }
        assert_eq!(ids, expected);
    }

    #[test]
    fn the_closes_on_the_wire() {
        let c = cases();
        let by_id = |id: &str| {
            c.iter()
                .find(|c| c.id == id)
                .cloned()
                .unwrap_or_else(|| panic!("{id}"))
        };
        let close_1000 = vec![0x88, 0x02, 0x03, 0xe8];
        // Frames after the tester's own close are still written.
        assert_eq!(
            opening(&by_id("7.1.2"), Side::Server),
            [close_1000.clone(), vec![0x88, 0x00]]
        );
        assert_eq!(
            opening(&by_id("7.1.3"), Side::Server),
            [close_1000.clone(), vec![0x89, 0x00]]
        );
        assert_eq!(
            opening(&by_id("7.1.5"), Side::Server),
            [
                [&[0x01, 9][..], b"fragment1"].concat(),
                close_1000.clone(),
                [&[0x80, 9][..], b"fragment2"].concat()
            ]
        );
        // 7.1.6: 256 KiB in one frame (64-bit length), a short text, the close, a ping.
        let sent = opening(&by_id("7.1.6"), Side::Server);
        assert_eq!(sent.len(), 4);
        assert_eq!(sent[0][..10], [0x81, 127, 0, 0, 0, 0, 0, 4, 0, 0]);
        assert_eq!(&sent[0][10..30], b"BAsd7&jh23BAsd7&jh23");
        assert_eq!(
            (sent[2].clone(), sent[3].clone()),
            (close_1000, vec![0x89, 0x00])
        );
        assert_eq!(opening(&by_id("7.3.1"), Side::Server), [vec![0x88, 0x00]]);
        assert_eq!(
            opening(&by_id("7.3.2"), Side::Server),
            [vec![0x88, 0x01, b'a']]
        );
        // 7.3.5: 125 bytes, still the 7-bit length; 7.3.6: 126, the 16-bit one.
        assert_eq!(opening(&by_id("7.3.5"), Side::Server)[0][..2], [0x88, 125]);
        assert_eq!(
            opening(&by_id("7.3.6"), Side::Server)[0][..6],
            [0x88, 126, 0, 126, 0x03, 0xe8]
        );
        assert_eq!(
            opening(&by_id("7.5.1"), Side::Server)[0][..6],
            [0x88, 22, 0x03, 0xe8, 0xce, 0xba]
        );
        assert_eq!(
            opening(&by_id("7.7.13"), Side::Server),
            [vec![0x88, 0x02, 0x13, 0x87]]
        );
        assert_eq!(
            opening(&by_id("7.9.1"), Side::Server),
            [vec![0x88, 0x02, 0x00, 0x00]]
        );
        assert_eq!(
            opening(&by_id("7.13.2"), Side::Server),
            [vec![0x88, 0x02, 0xff, 0xff]]
        );
    }

    #[test]
    fn verdicts_of_strict_and_faulty_peers() {
        for case in cases() {
            let (v, _) = run(&case, Peer::echo());
            let want = match case.special {
                Special::Informational => ("INFORMATIONAL", "INFORMATIONAL"),
                _ => ("OK", "OK"),
            };
            assert_eq!(verdicts(&v), want, "{}", case.id);
        }
        let c = cases();
        let by_id = |id: &str| {
            c.iter()
                .find(|c| c.id == id)
                .cloned()
                .unwrap_or_else(|| panic!("{id}"))
        };
        // Answering a normal close with 1001: a wrong code, which fails the case.
        let (v, _) = run(&by_id("7.3.3"), Peer::closing_with(&[0x03, 0xe9]));
        assert_eq!(verdicts(&v), ("FAILED", "WRONG CODE"));
        assert_eq!(v.result, v.result_close);
        // Echoing an invalid code (the tester fails the connection, and still reads the
        // code): a wrong code.
        let (v, seen) = run(&by_id("7.9.1"), Peer::lenient());
        assert_eq!(verdicts(&v), ("FAILED", "WRONG CODE"));
        assert_eq!(seen.remote_close_code, Some(0));
        // 7.13.x stay informational whatever the answer.
        let (v, _) = run(&by_id("7.13.1"), Peer::closing_with(&[0x03, 0xe9]));
        assert_eq!(verdicts(&v), ("INFORMATIONAL", "INFORMATIONAL"));
    }
}

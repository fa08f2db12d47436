//! Group 4, reserved opcodes (RFC 6455 §5.2): %x3-7 are "reserved for further non-control
//! frames", %xB-F "reserved for further control frames", and "If an unknown opcode is
//! received, the receiving endpoint MUST _Fail the WebSocket Connection_." (1002).
//! 4.1 uses the non-control ones, 4.2 the control ones.

use crate::conformance::case::{
    frame, frame_with, op, Behavior, Case, Event, ExpectedClose, Step, Write,
};

const HELLO: &[u8] = b"Hello, world!";

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (group, first, kind) in [(1, 3u8, "non-control"), (2, 11u8, "control")] {
        let id = |n: u32| format!("4.{group}.{n}");
        let alone = |n: u32, opcode: u8, payload: &[u8], what: &str| {
            Case::new(
                &id(n),
                &format!("Send a frame with the reserved {kind} opcode {opcode} and {what}."),
                "The peer fails the connection at once (1002): the opcode is unknown.",
                vec![frame(opcode, payload.to_vec()), Step::KillAfter(1000)],
                vec![],
                ExpectedClose::peer(&[1002]),
            )
        };
        // A valid text message, a reserved opcode frame, then a ping.
        let after_echo = |n: u32,
                          opcode: u8,
                          payload: &[u8],
                          what: &str,
                          write: Write,
                          how: &str| {
            Case {
            expected: vec![
                (Behavior::Ok, vec![Event::text(HELLO)]),
                (Behavior::NonStrict, vec![]),
            ],
            ..Case::new(
                &id(n),
                &format!("Send a short text message, then a frame with the reserved {kind} opcode {opcode} and {what}, then a ping{how}."),
                "The peer echoes the message, then fails the connection (1002) at the unknown opcode and never answers the ping. Failing before the echo (having read the whole input first) is NON-STRICT.",
                vec![
                    frame_with(op::TEXT, HELLO, true, 0, write),
                    frame_with(opcode, payload.to_vec(), true, 0, write),
                    frame_with(op::PING, Vec::new(), true, 0, write),
                    Step::KillAfter(1000),
                ],
                vec![],
                ExpectedClose::peer(&[1002]),
            )
        }
        };
        cases.extend([
            alone(1, first, b"", "an empty payload"),
            alone(2, first + 1, b"reserved opcode payload", "a payload"),
            after_echo(3, first + 2, b"", "an empty payload", Write::Together, ""),
            after_echo(4, first + 3, HELLO, "a payload", Write::Together, ""),
            after_echo(
                5,
                first + 4,
                HELLO,
                "a payload",
                Write::Chopped(1),
                ", each written one byte at a time",
            ),
        ]);
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::cases::test_peer::{opening, run, verdicts, writes, Peer};
    use crate::conformance::tester::{Side, Tester};

    #[test]
    fn ids() {
        let ids: Vec<String> = cases().into_iter().map(|c| c.id).collect();
        let expected: Vec<String> = (1..=2)
            .flat_map(|g| (1..=5).map(move |n| format!("4.{g}.{n}")))
            .collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn the_reserved_opcodes_on_the_wire() {
        let c = cases();
        assert_eq!(opening(&c[0], Side::Server), [vec![0x83, 0x00]]);
        assert_eq!(
            opening(&c[6], Side::Server),
            [[&[0x8c, 23][..], b"reserved opcode payload"].concat()]
        );
        // 4.2.5: text, opcode 15 with a payload, an empty ping, each byte by byte.
        let sent = writes(&Tester::new(c[9].clone(), Side::Server, 1).open(0));
        let firsts: Vec<(u8, Write)> = sent.iter().map(|(b, w)| (b[0], *w)).collect();
        assert_eq!(
            firsts,
            [
                (0x81, Write::Chopped(1)),
                (0x8f, Write::Chopped(1)),
                (0x89, Write::Chopped(1))
            ]
        );
        assert_eq!(sent[1].0.len(), 2 + HELLO.len());
    }

    #[test]
    fn a_strict_peer_passes_and_a_lenient_one_fails() {
        for case in cases() {
            let (v, _) = run(&case, Peer::echo());
            assert_eq!(verdicts(&v), ("OK", "OK"), "{}", case.id);
        }
        // The lenient peer skips the unknown frame and answers the ping.
        let (v, seen) = run(&cases()[2], Peer::lenient());
        assert_eq!(verdicts(&v), ("FAILED", "FAILED"));
        assert_eq!(seen.received, [Event::text(HELLO), Event::Pong(Vec::new())]);
        // Alone, the unknown frame gives no events, but the peer did not close.
        let (v, _) = run(&cases()[0], Peer::lenient());
        assert_eq!(verdicts(&v), ("OK", "FAILED"));
    }
}

//! Group 3, reserved bits (RFC 6455 §5.2): "RSV1, RSV2, RSV3: 1 bit each. MUST be 0 unless
//! an extension is negotiated that defines meanings for non-zero values. If a nonzero value
//! is received and none of the negotiated extensions defines the meaning of such a nonzero
//! value, the receiving endpoint MUST _Fail the WebSocket Connection_." No extension is
//! negotiated here, so every frame with a reserved bit set fails the connection (1002).
//! `rsv` is the three bits as a number, RSV1 = 4, RSV3 = 1 (Autobahn's numbering).

use crate::conformance::case::{frame_with, op, Behavior, Case, Event, ExpectedClose, Step, Write};

const HELLO: &[u8] = b"Hello, world!";

pub fn cases() -> Vec<Case> {
    let alone = |id: &str, what: &str, opcode: u8, payload: &[u8], rsv: u8| {
        Case::new(
            id,
            &format!("Send {what} with RSV = {rsv}."),
            "The peer fails the connection at once (1002): no extension gives the reserved bits a meaning.",
            vec![
                frame_with(opcode, payload.to_vec(), true, rsv, Write::Together),
                Step::KillAfter(1000),
            ],
            vec![],
            ExpectedClose::peer(&[1002]),
        )
    };
    // A valid text message, the same with a reserved bit set, then a ping.
    let after_echo = |id: &str, rsv: u8, write: Write, how: &str| {
        Case {
        expected: vec![
            (Behavior::Ok, vec![Event::text(HELLO)]),
            (Behavior::NonStrict, vec![]),
        ],
        ..Case::new(
            id,
            &format!(
                "Send a short text message, then the same with RSV = {rsv}, then a ping{how}."
            ),
            "The peer echoes the first message, then fails the connection (1002) at the second and never answers the ping. Failing before the echo (having read the whole input first) is NON-STRICT.",
            vec![
                frame_with(op::TEXT, HELLO, true, 0, write),
                frame_with(op::TEXT, HELLO, true, rsv, write),
                frame_with(op::PING, Vec::new(), true, 0, write),
                Step::KillAfter(1000),
            ],
            vec![],
            ExpectedClose::peer(&[1002]),
        )
    }
    };
    vec![
        alone("3.1", "a short text message", op::TEXT, HELLO, 1),
        after_echo("3.2", 2, Write::Together, ""),
        after_echo("3.3", 3, Write::Alone, ", each frame written on its own"),
        after_echo("3.4", 4, Write::Chopped(1), ", written one byte at a time"),
        alone(
            "3.5",
            "a short binary message",
            op::BIN,
            &[0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff],
            5,
        ),
        // Autobahn's description says "ping" but its frame is binary.
        alone("3.6", "a short binary message", op::BIN, HELLO, 6),
        Case::new(
            "3.7",
            "Send an empty close frame with RSV = 7 (written as a raw frame: the tester does not begin a closing handshake).",
            "The peer fails the connection at once (1002): no extension gives the reserved bits a meaning.",
            vec![
                frame_with(op::CLOSE, Vec::new(), true, 7, Write::Together),
                Step::KillAfter(1000),
            ],
            vec![],
            ExpectedClose::peer(&[1002]),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::cases::test_peer::{opening, run, verdicts, writes, Peer};
    use crate::conformance::tester::{Side, Tester};

    #[test]
    fn ids() {
        let ids: Vec<String> = cases().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7"]);
    }

    #[test]
    fn the_reserved_bits_on_the_wire() {
        let c = cases();
        // FIN and RSV3 (0x80 | 0x10), text; 13 bytes, unmasked from a server.
        assert_eq!(
            opening(&c[0], Side::Server),
            [[&[0x91, 13][..], HELLO].concat()]
        );
        // 3.4: the second text frame with RSV1, every frame written byte by byte.
        let sent = writes(&Tester::new(c[3].clone(), Side::Server, 1).open(0));
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[1].0[0], 0xc1);
        assert_eq!(sent[2], (vec![0x89, 0x00], Write::Chopped(1)));
        assert!(sent.iter().all(|(_, w)| *w == Write::Chopped(1)));
        // 3.6: binary with RSV1 and RSV2.
        assert_eq!(opening(&c[5], Side::Server)[0][0], 0xe2);
        // 3.7: an empty close with all three bits, which begins no closing handshake.
        assert_eq!(opening(&c[6], Side::Server), [vec![0xf8, 0x00]]);
        // As a client the tester masks.
        assert_eq!(opening(&c[0], Side::Client)[0][1], 0x80 | 13);
    }

    #[test]
    fn a_strict_peer_passes_and_a_lenient_one_fails() {
        for case in cases() {
            let (v, _) = run(&case, Peer::echo());
            assert_eq!(verdicts(&v), ("OK", "OK"), "{}", case.id);
        }
        // It echoes both messages and answers the ping; the tester has to close.
        let (v, seen) = run(&cases()[1], Peer::lenient());
        assert_eq!(verdicts(&v), ("FAILED", "FAILED"));
        assert_eq!(seen.received.len(), 3);
        assert!(seen.closed_by_me);
    }
}

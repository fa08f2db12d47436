//! Group 10, miscellaneous: 10.1.1 checks that the peer reassembles a message the tester
//! fragments by itself (its automatic fragment size, 1300 bytes), and that the tester sent
//! the frames that size implies.

use crate::conformance::case::{op, Case, Event, ExpectedClose, Special, Step};

/// The tester's automatic fragment size in 10.1.1.
const AUTO_FRAGMENT: usize = 1300;

pub fn cases() -> Vec<Case> {
    let payload = vec![b'*'; 65536];
    // 65536 = 50 × 1300 + 536: a text frame, 49 full continuations, a last one of 536.
    // Autobahn counts as much: length / size continuations, one text frame when there is
    // a remainder.
    let full = (payload.len() / AUTO_FRAGMENT) as u64;
    let rest = u64::from(payload.len() % AUTO_FRAGMENT > 0);
    vec![Case {
        special: Special::SentFrames {
            text: rest,
            continuation: full,
        },
        ..Case::new(
            "10.1.1",
            "Send a text message of 65536 bytes, fragmented by the tester in frames of 1300 bytes (a text frame, 49 continuations of 1300 bytes, a last one of 536).",
            "The peer echoes the whole message; a clean close with 1000. The tester must have sent 1 text frame and 50 continuations.",
            vec![
                Step::Message {
                    opcode: op::TEXT,
                    payload: payload.clone(),
                    fragment: AUTO_FRAGMENT,
                },
                Step::KillAfter(10_000),
            ],
            vec![Event::text(payload)],
            ExpectedClose::tester_normal(),
        )
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::cases::test_peer::{opening, run, verdicts, Peer};
    use crate::conformance::tester::Side;
    use crate::conformance::verdict::judge;

    #[test]
    fn fifty_one_frames_of_1300_and_536() {
        let case = &cases()[0];
        assert_eq!(case.id, "10.1.1");
        let sent = opening(case, Side::Server);
        assert_eq!(sent.len(), 51);
        // 1300 = 0x0514, a 16-bit length; 536 = 0x0218.
        assert_eq!(sent[0][..4], [0x01, 126, 0x05, 0x14]);
        assert!(sent[1..50]
            .iter()
            .all(|f| f[..4] == [0x00, 126, 0x05, 0x14] && f.len() == 1304));
        assert_eq!(sent[50][..4], [0x80, 126, 0x02, 0x18]);
        assert_eq!(sent[50].len(), 540);
    }

    #[test]
    fn the_frame_counts_are_checked() {
        let case = &cases()[0];
        let (v, seen) = run(case, Peer::echo());
        assert_eq!(verdicts(&v), ("OK", "OK"));
        assert_eq!(seen.tx_frames.get(&op::CONT), Some(&50));
        assert_eq!(seen.tx_frames.get(&op::TEXT), Some(&1));
        let mut other = seen.clone();
        other.tx_frames.insert(op::CONT, 51);
        let v = judge(case, Side::Server, &other);
        assert_eq!(v.behavior.as_str(), "FAILED");
        assert_eq!(
            v.result,
            "Frames transmitted {0: 51, 1: 1} does not match what we expected {0: 50, 1: 1}."
        );
    }
}

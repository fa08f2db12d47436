//! Group 5, fragmentation (RFC 6455 §5.4): a message is a first frame with FIN clear, then
//! continuations, the last with FIN set; "Control frames (see Section 5.5) MAY be injected
//! in the middle of a fragmented message" and "Control frames themselves MUST NOT be
//! fragmented"; a continuation with no message to continue, or a new message inside one,
//! fails the connection (1002).

use crate::conformance::case::{frame_with, op, Behavior, Case, Event, ExpectedClose, Step, Write};

/// The ways a group of frames is written: back to back, each on its own, byte by byte.
const WRITES: [(Write, &str); 3] = [
    (Write::Together, ""),
    (Write::Alone, ", each frame written on its own"),
    (Write::Chopped(1), ", each frame written one byte at a time"),
];

fn f(opcode: u8, payload: &str, fin: bool, write: Write) -> Step {
    frame_with(opcode, payload.as_bytes(), fin, 0, write)
}

/// The peer must fail the connection (1002), with no events.
fn fails(id: &str, description: &str, expectation: &str, mut steps: Vec<Step>) -> Case {
    steps.push(Step::KillAfter(1000));
    Case::new(
        id,
        description,
        expectation,
        steps,
        vec![],
        ExpectedClose::peer(&[1002]),
    )
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let control_fragmented =
        "The peer fails the connection at once (1002): control frames must not be fragmented.";
    for (n, opcode, name) in [(1, op::PING, "ping"), (2, op::PONG, "pong")] {
        cases.push(fails(
            &format!("5.{n}"),
            &format!(
                "Send a {name} in two fragments (FIN clear on the {name}, then a continuation)."
            ),
            control_fragmented,
            vec![
                f(opcode, "fragment1", false, Write::Together),
                f(op::CONT, "fragment2", true, Write::Together),
            ],
        ));
    }
    for (i, &(write, how)) in WRITES.iter().enumerate() {
        cases.push(Case::new(
            &format!("5.{}", 3 + i),
            &format!("Send a text message in two fragments{how}."),
            "The peer echoes the whole message; a clean close with 1000.",
            vec![
                f(op::TEXT, "fragment1", false, write),
                f(op::CONT, "fragment2", true, write),
                Step::CloseAfter(1000),
            ],
            vec![Event::text("fragment1fragment2")],
            ExpectedClose::tester_normal(),
        ));
    }
    for (i, &(write, how)) in WRITES.iter().enumerate() {
        cases.push(Case::new(
            &format!("5.{}", 6 + i),
            &format!("Send a text message in two fragments with a ping between them{how}."),
            "The peer answers the ping (control frames may come inside a fragmented message), then echoes the whole message; a clean close with 1000.",
            vec![
                f(op::TEXT, "fragment1", false, write),
                f(op::PING, "ping payload", true, write),
                f(op::CONT, "fragment2", true, write),
                Step::CloseAfter(1000),
            ],
            vec![Event::Pong(b"ping payload".to_vec()), Event::text("fragment1fragment2")],
            ExpectedClose::tester_normal(),
        ));
    }
    let nothing_to_continue =
        "The peer fails the connection at once (1002): there is no message to continue.";
    for (base, fin) in [(9, true), (12, false)] {
        let fin_is = if fin { "set" } else { "clear" };
        for (i, &(write, how)) in WRITES.iter().enumerate() {
            cases.push(fails(
                &format!("5.{}", base + i),
                &format!("Send a continuation frame with FIN {fin_is} and nothing to continue, then a text message{how}."),
                nothing_to_continue,
                vec![
                    f(op::CONT, "non-continuation payload", fin, write),
                    f(op::TEXT, "Hello, world!", true, write),
                ],
            ));
        }
    }
    cases.push(Case {
        expected: vec![
            (Behavior::Ok, vec![Event::text("fragment1fragment2")]),
            (Behavior::NonStrict, vec![]),
        ],
        ..fails(
            "5.15",
            "Send a text message in two fragments, then a continuation with FIN clear and nothing to continue, then a text message, back to back.",
            "The peer echoes the first message, then fails the connection (1002) at the continuation. Failing before the echo (having read the whole input first) is NON-STRICT.",
            vec![
                f(op::TEXT, "fragment1", false, Write::Together),
                f(op::CONT, "fragment2", true, Write::Together),
                f(op::CONT, "fragment3", false, Write::Together),
                f(op::TEXT, "fragment4", true, Write::Together),
            ],
        )
    });
    for (n, fin) in [(16, false), (17, true)] {
        let fin_is = if fin { "set" } else { "clear" };
        let twice: Vec<Step> = (0..2)
            .flat_map(|_| {
                [
                    f(op::CONT, "fragment1", fin, Write::Together),
                    f(op::TEXT, "fragment2", false, Write::Together),
                    f(op::CONT, "fragment3", true, Write::Together),
                ]
            })
            .collect();
        cases.push(fails(
            &format!("5.{n}"),
            &format!("Twice: a continuation with FIN {fin_is} and nothing to continue, then a text message in two fragments."),
            nothing_to_continue,
            twice,
        ));
    }
    cases.push(fails(
        "5.18",
        "Send a text frame with FIN clear, then a second text frame (instead of a continuation).",
        "The peer fails the connection at once (1002): a new message cannot begin inside a fragmented one.",
        vec![
            f(op::TEXT, "fragment1", false, Write::Together),
            f(op::TEXT, "fragment2", true, Write::Together),
        ],
    ));
    for (n, write, how) in [
        (19, Write::Together, ""),
        (20, Write::Alone, ", each frame written on its own"),
    ] {
        cases.push(Case::new(
            &format!("5.{n}"),
            &format!("Send a text message in five fragments{how}: two fragments and a ping, a wait of 1 s, two fragments, a ping and the last fragment."),
            "The peer answers both pings (the first during the wait, before the message is complete), then echoes the whole message; a clean close with 1000.",
            vec![
                f(op::TEXT, "fragment1", false, write),
                f(op::CONT, "fragment2", false, write),
                f(op::PING, "pongme 1!", true, write),
                Step::Wait(1000),
                f(op::CONT, "fragment3", false, write),
                f(op::CONT, "fragment4", false, write),
                f(op::PING, "pongme 2!", true, write),
                f(op::CONT, "fragment5", true, write),
                Step::CloseAfter(1000),
            ],
            vec![
                Event::Pong(b"pongme 1!".to_vec()),
                Event::Pong(b"pongme 2!".to_vec()),
                Event::text("fragment1fragment2fragment3fragment4fragment5"),
            ],
            ExpectedClose::tester_normal(),
        ));
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::cases::test_peer::{opening, run, verdicts, writes, Peer};
    use crate::conformance::tester::{Action, Side, Tester, Timer};

    #[test]
    fn ids() {
        let ids: Vec<String> = cases().into_iter().map(|c| c.id).collect();
        let expected: Vec<String> = (1..=20).map(|n| format!("5.{n}")).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn the_fragments_on_the_wire() {
        let c = cases();
        // 5.1: a ping with FIN clear, then a final continuation.
        assert_eq!(
            opening(&c[0], Side::Server),
            [
                [&[0x09, 9][..], b"fragment1"].concat(),
                [&[0x80, 9][..], b"fragment2"].concat()
            ]
        );
        // 5.16: twice a continuation with FIN clear, a first fragment, a final continuation.
        let firsts: Vec<u8> = opening(&c[15], Side::Server).iter().map(|b| b[0]).collect();
        assert_eq!(firsts, [0x00, 0x01, 0x80, 0x00, 0x01, 0x80]);
        // 5.20: three frames, a wait, four frames and the close timer; each frame alone.
        let mut tester = Tester::new(c[19].clone(), Side::Server, 1);
        let first = tester.open(0);
        let firsts: Vec<(u8, Write)> = writes(&first).iter().map(|(b, w)| (b[0], *w)).collect();
        assert_eq!(
            firsts,
            [
                (0x01, Write::Alone),
                (0x00, Write::Alone),
                (0x89, Write::Alone)
            ]
        );
        assert_eq!(first.last(), Some(&Action::Set(Timer::Wait(1), 1000)));
        let second = tester.timer(Timer::Wait(1), 1000);
        let firsts: Vec<u8> = writes(&second).iter().map(|(b, _)| b[0]).collect();
        assert_eq!(firsts, [0x00, 0x00, 0x89, 0x80]);
        assert_eq!(second.last(), Some(&Action::Set(Timer::CloseAfter, 1000)));
    }

    #[test]
    fn a_strict_peer_passes_and_a_lenient_one_fails() {
        for case in cases() {
            let (v, _) = run(&case, Peer::echo());
            assert_eq!(verdicts(&v), ("OK", "OK"), "{}", case.id);
        }
        // 5.15: the lenient peer echoes the first message and takes "fragment4" as a
        // message of its own.
        let (v, seen) = run(&cases()[14], Peer::lenient());
        assert_eq!(v.behavior.as_str(), "FAILED");
        assert_eq!(
            seen.received.first(),
            Some(&Event::text("fragment1fragment2"))
        );
    }
}

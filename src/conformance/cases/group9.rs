//! Group 9, limits and performance: big messages in one frame, in many fragments and in
//! small writes, then 1000 round trips of small messages; the answer's type and length
//! decide (Autobahn's do not compare contents here), and the time is the figure reported.
//! Without `full` every size is a sixteenth and the round trips are 100, so the group runs in
//! seconds (`--full`: Autobahn's sizes).

use crate::conformance::case::{
    frame_with, op, Case, ExpectedClose, Performance, Special, Step, Write,
};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

fn pattern(bytes: &[u8], length: usize) -> Vec<u8> {
    bytes.iter().copied().cycle().take(length).collect()
}

fn case(id: String, description: String, steps: Vec<Step>, special: Performance) -> Case {
    let mut c = Case::new(
        &id,
        &description,
        "The peer echoes it: a message of the same type and length (contents are not compared); the time to the answer is the figure. A clean close with 1000.",
        steps,
        vec![],
        ExpectedClose::tester_normal(),
    );
    c.expected.clear();
    c.special = Special::Performance(special);
    c
}

fn kind(opcode: u8) -> &'static str {
    if opcode == op::BIN {
        "binary"
    } else {
        "text"
    }
}

fn size(n: usize) -> String {
    if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n % KIB == 0 {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// The cases; `full`: Autobahn's sizes.
pub fn cases(full: bool) -> Vec<Case> {
    let scale = |n: usize| if full { n } else { n / 16 };
    let text_pattern = b"BAsd7&jh23";
    let binary_pattern = [0x00, 0xfe, 0x23, 0xfa, 0xf0];
    let mut cases = Vec::new();
    // 9.1, 9.2: one message in one frame.
    for (group, opcode, pattern_bytes) in [
        (1, op::TEXT, &text_pattern[..]),
        (2, op::BIN, &binary_pattern[..]),
    ] {
        for (i, n) in [64 * KIB, 256 * KIB, MIB, 4 * MIB, 8 * MIB, 16 * MIB]
            .into_iter()
            .enumerate()
        {
            let n = scale(n);
            let give_up = if n > MIB || (group == 1 && n >= MIB) {
                100_000
            } else {
                10_000
            };
            cases.push(case(
                format!("9.{group}.{}", i + 1),
                format!(
                    "Send a {} message of {} in one frame.",
                    kind(opcode),
                    size(n)
                ),
                vec![
                    frame_with(opcode, pattern(pattern_bytes, n), true, 0, Write::Together),
                    Step::CloseAfter(give_up),
                ],
                Performance::One {
                    binary: opcode == op::BIN,
                    length: n,
                },
            ));
        }
    }
    // 9.3, 9.4: one 4 MiB message in fragments of 64 bytes to 4 MiB.
    for (group, opcode, byte) in [(3, op::TEXT, b'*'), (4, op::BIN, 0xfe)] {
        let n = scale(4 * MIB);
        for (i, fragment) in [
            64,
            256,
            KIB,
            4 * KIB,
            16 * KIB,
            64 * KIB,
            256 * KIB,
            MIB,
            4 * MIB,
        ]
        .into_iter()
        .enumerate()
        {
            let fragment = if full { fragment } else { fragment.min(n) };
            cases.push(case(
                format!("9.{group}.{}", i + 1),
                format!(
                    "Send a {} message of {} in fragments of {}.",
                    kind(opcode),
                    size(n),
                    size(fragment)
                ),
                vec![
                    Step::Message {
                        opcode,
                        payload: vec![byte; n],
                        fragment,
                    },
                    Step::CloseAfter(100_000),
                ],
                Performance::One {
                    binary: opcode == op::BIN,
                    length: n,
                },
            ));
        }
    }
    // 9.5, 9.6: one 1 MiB frame written in chops of 64 to 2048 bytes.
    for (group, opcode, pattern_bytes) in [
        (5, op::TEXT, &text_pattern[..]),
        (6, op::BIN, &binary_pattern[..]),
    ] {
        let n = scale(MIB);
        for (i, chop) in [64, 128, 256, 512, 1024, 2048].into_iter().enumerate() {
            cases.push(case(
                format!("9.{group}.{}", i + 1),
                format!(
                    "Send a {} message of {} in one frame, written in chops of {chop} bytes.",
                    kind(opcode),
                    size(n)
                ),
                vec![
                    frame_with(
                        opcode,
                        pattern(pattern_bytes, n),
                        true,
                        0,
                        Write::Chopped(chop),
                    ),
                    Step::CloseAfter(1_000_000),
                ],
                Performance::One {
                    binary: opcode == op::BIN,
                    length: n,
                },
            ));
        }
    }
    // 9.7, 9.8: round trips, each message sent once the last came back.
    let count = if full { 1000 } else { 100 };
    for (group, opcode, byte) in [(7, op::TEXT, b'*'), (8, op::BIN, 0xfe)] {
        for (i, (n, give_up)) in [
            (0, 60),
            (16, 60),
            (64, 60),
            (256, 120),
            (1024, 240),
            (4096, 480),
        ]
        .into_iter()
        .enumerate()
        {
            cases.push(case(
                format!("9.{group}.{}", i + 1),
                format!(
                    "Send {count} {} messages of {}, each once the last was echoed.",
                    kind(opcode),
                    size(n)
                ),
                vec![
                    Step::Message {
                        opcode,
                        payload: vec![byte; n],
                        fragment: 0,
                    },
                    Step::CloseAfter(give_up * 1000),
                ],
                Performance::RoundTrips {
                    binary: opcode == op::BIN,
                    length: n,
                    count,
                },
            ));
        }
    }
    cases
}

//! Group 1, framing: text and binary messages of the lengths around each length encoding
//! (RFC 6455 §5.2: 7 bits up to 125, 16 bits up to 65535, 64 bits beyond), one written in
//! chops of 997 bytes. The peer echoes each; the tester closes with 1000.

use crate::conformance::case::{frame_with, op, Case, Event, ExpectedClose, Step, Write};

pub fn cases() -> Vec<Case> {
    let lengths = [0, 125, 126, 127, 128, 65535, 65536];
    let mut cases = Vec::new();
    for (group, opcode, byte, kind) in [(1, op::TEXT, b'*', "text"), (2, op::BIN, 0xfe, "binary")] {
        let mut add = |n: usize, length: usize, write: Write| {
            let payload = vec![byte; length];
            let how = match write {
                Write::Chopped(c) => format!(", written in chops of {c} bytes"),
                _ => String::new(),
            };
            let kill = if length > 128 { 10_000 } else { 1000 };
            let event = if opcode == op::TEXT {
                Event::text(payload.clone())
            } else {
                Event::binary(payload.clone())
            };
            cases.push(Case::new(
                &format!("1.{group}.{n}"),
                &format!("Send a {kind} message with a payload of {length} bytes{how}."),
                &format!("The peer echoes the {kind} message; a clean close with 1000."),
                vec![
                    frame_with(opcode, payload, true, 0, write),
                    Step::KillAfter(kill),
                ],
                vec![event],
                ExpectedClose::tester_normal(),
            ));
        };
        for (i, &length) in lengths.iter().enumerate() {
            add(i + 1, length, Write::Together);
        }
        add(8, 65536, Write::Chopped(997));
    }
    cases
}

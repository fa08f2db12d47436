//! For the groups' tests: a case run in memory, the tester as the server and a peer (the
//! client) that answers at once, with time jumping from timer to timer. The peer is
//! wsinspect's own endpoint step ([`Responder`]): it echoes messages, answers pings and
//! closes, and fails the connection on a violation; or, lenient, it sees no violation.

use std::collections::VecDeque;

use crate::conformance::case::{Case, Write};
use crate::conformance::tester::{Action, Observed, Side, Tester, Timer};
use crate::conformance::verdict::{judge, Verdict};
use crate::encode::{encode_frame, FrameSpec};
use crate::endpoint_step::{Event, Responder};
use crate::{DecodeOptions, Decoder, MessageKind, Protocol, Role};

/// A WebSocket client answering the tester.
pub struct Peer {
    decoder: Decoder,
    responder: Responder,
    /// Violations are ignored: nothing fails the connection.
    lenient: bool,
    /// Every close this peer sends has this body instead.
    close_body: Option<Vec<u8>>,
    key: u32,
}

impl Peer {
    /// A conformant echo client.
    pub fn echo() -> Peer {
        Peer {
            decoder: Decoder::new(DecodeOptions {
                role: Role::Server,
                protocol: Protocol::Rfc6455,
                ..DecodeOptions::default()
            })
            .expect("no extensions"),
            responder: Responder::new(Protocol::Rfc6455),
            lenient: false,
            close_body: None,
            key: 0x1234_5678,
        }
    }

    /// An echo client that sees no violation (it echoes invalid text, ignores reserved bits
    /// and opcodes, never fails the connection).
    pub fn lenient() -> Peer {
        Peer {
            lenient: true,
            ..Peer::echo()
        }
    }

    /// An echo client whose closes carry this body.
    pub fn closing_with(body: &[u8]) -> Peer {
        Peer {
            close_body: Some(body.to_vec()),
            ..Peer::echo()
        }
    }

    /// The tester's bytes in, the peer's bytes out.
    fn receive(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut decoded = self.decoder.push(bytes);
        if self.lenient {
            decoded.violations.clear();
        }
        let step = self.responder.step(decoded);
        let mut reply = Vec::new();
        for event in step.events {
            let mut spec = match event {
                Event::Send(spec) => spec,
                Event::Message(m) => {
                    let opcode = match m.kind {
                        MessageKind::Text => 1,
                        MessageKind::Binary => 2,
                    };
                    FrameSpec::new(opcode, m.data.to_vec())
                }
                Event::SendHixieClose => continue,
            };
            if let (8, Some(body)) = (spec.opcode, &self.close_body) {
                spec.payload = body.clone();
            }
            // A client masks every frame (RFC 6455 §5.3).
            self.key = self.key.rotate_left(7) ^ 0x9e37_79b9;
            spec.masking_key = Some(self.key.to_be_bytes());
            reply.extend(encode_frame(&spec));
        }
        reply
    }
}

/// What the tester sends on open, before any timer: the bytes of each write.
pub fn opening(case: &Case, side: Side) -> Vec<Vec<u8>> {
    writes(&Tester::new(case.clone(), side, 1).open(0))
        .into_iter()
        .map(|(bytes, _)| bytes)
        .collect()
}

/// The writes among `actions`.
pub fn writes(actions: &[Action]) -> Vec<(Vec<u8>, Write)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { bytes, write } => Some((bytes.clone(), *write)),
            _ => None,
        })
        .collect()
}

/// Runs `case` against `peer` to its end: the verdicts and what the tester saw.
pub fn run(case: &Case, mut peer: Peer) -> (Verdict, Observed) {
    let mut tester = Tester::new(case.clone(), Side::Server, 1);
    let mut now = 0;
    let mut timers: Vec<(u64, Timer)> = Vec::new();
    let mut queue: VecDeque<Action> = tester.open(now).into();
    while !tester.done() {
        match queue.pop_front() {
            Some(Action::Send { bytes, .. }) => {
                let reply = peer.receive(&bytes);
                if !reply.is_empty() {
                    queue.extend(tester.bytes(&reply, now));
                }
            }
            Some(Action::Set(timer, ms)) => timers.push((now + ms, timer)),
            Some(Action::Drop) => tester.tcp_closed(now),
            None => {
                // Nothing moves until the next timer (the first set goes first on a tie).
                timers.sort_by_key(|&(at, _)| at);
                if timers.is_empty() {
                    break;
                }
                let (at, timer) = timers.remove(0);
                now = at;
                queue.extend(tester.timer(timer, now));
            }
        }
    }
    let (case, side, observed) = tester.finish();
    (judge(&case, side, &observed), observed)
}

/// Whether a verdict is `(behavior, behaviorClose)`.
pub fn verdicts(v: &Verdict) -> (&'static str, &'static str) {
    (v.behavior.as_str(), v.behavior_close.as_str())
}

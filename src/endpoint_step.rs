//! What an endpoint does with what it decoded, without I/O (python-websockets' `recv_frame`
//! is the model): decoded output in, frames to send, messages for the application and a close
//! decision out. Every loop that reads WebSocket bytes (the server's echo, tap and hixie-76
//! echo) moves bytes only and lets this step decide.
//!
//! The step walks the frames of one [`DecodeOutput`] in wire order:
//! - a frame that broke a rule fails the connection: a close with the violation's close code
//!   and its id as the reason (RFC 6455 §7.1.7), or hixie-76's closing frame;
//! - a ping is answered with a pong carrying its payload (§5.5.2);
//! - a close is echoed with its code and reason (§5.5.1) and ends the connection; a close
//!   answering ours ends it too;
//! - a data frame that completes a message hands the message to the application;
//! - a violation about no frame walked (a frame header whose payload is still to come, such
//!   as `message-too-big`) fails the connection after the walk.
//!
//! Once this endpoint has sent its close nothing is answered and no message is delivered:
//! only the peer's close (which ends the connection) or a further violation (which ends it
//! too) matters.
//!
//! ```
//! use wsinspect::endpoint_step::{Decision, Event, Responder};
//! use wsinspect::encode::FrameSpec;
//! use wsinspect::{decode, DecodeOptions, Protocol, Role};
//!
//! let options = DecodeOptions { role: Role::Client, ..DecodeOptions::default() };
//! // A masked ping "hi" from a client.
//! let out = decode(&[0x89, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2], options).unwrap();
//! let mut responder = Responder::new(Protocol::Rfc6455);
//! let step = responder.step(out);
//! assert_eq!(step.events, [Event::Send(FrameSpec::pong(*b"hi"))]);
//! assert_eq!(step.decision, Decision::Open);
//! ```

use std::collections::HashMap;

use crate::encode::FrameSpec;
use crate::{DecodeOutput, Frame, FrameKind, Message, Protocol, Violation, MAX_CLOSE_REASON};

/// One thing to do, in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Write this RFC 6455 frame: a pong, or this endpoint's close.
    Send(FrameSpec),
    /// Write hixie-76's closing frame, `0xFF 0x00` (draft-hixie-76 §4.2).
    SendHixieClose,
    /// A complete data message for the application (an echo sends it back, a tap reads a
    /// command from it).
    Message(Message),
}

/// What the connection does after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Go on reading.
    Open,
    /// This endpoint has sent its close and waits for the peer's (for the close timeout).
    Closing,
    /// The connection is over: stop reading. The text says why.
    Closed(String),
}

/// What one step decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What to do, in wire order.
    pub events: Vec<Event>,
    /// What the connection does next.
    pub decision: Decision,
    /// The violation this step failed the connection for, if any.
    pub failed: Option<Violation>,
    /// A line saying what this step closed for (for a log or a tap), if it sent a close.
    pub note: Option<String>,
}

/// One endpoint's closing state (RFC 6455 §7.1: which closes have gone which way).
#[derive(Debug, Clone)]
pub struct Responder {
    protocol: Protocol,
    sent_close: bool,
    received_close: bool,
}

impl Responder {
    /// A responder for an open connection with this framing (`Rfc6455` or `Hixie76`).
    pub fn new(protocol: Protocol) -> Self {
        Responder {
            protocol,
            sent_close: false,
            received_close: false,
        }
    }

    /// Whether this endpoint has sent (or is sending) its close.
    pub fn sent_close(&self) -> bool {
        self.sent_close
    }

    /// Whether the peer's close has been received.
    pub fn received_close(&self) -> bool {
        self.received_close
    }

    /// Records that this endpoint sent a close decided elsewhere (an idle timeout, an
    /// action): from now on the step answers nothing.
    pub fn closing(&mut self) {
        self.sent_close = true;
    }

    /// The close frame for `code` (none: an empty payload) and `reason`, marking the close as
    /// sent. The reason is cut to what a control frame holds, on a character boundary.
    pub fn close(&mut self, code: Option<u16>, reason: &str) -> FrameSpec {
        self.sent_close = true;
        match code {
            Some(code) => FrameSpec::close(code, truncate_utf8(reason, MAX_CLOSE_REASON)),
            None => FrameSpec::close_empty(),
        }
    }

    /// Walks one decoded output in wire order and says what to do.
    pub fn step(&mut self, out: DecodeOutput) -> Step {
        let mut step = Step {
            events: Vec::new(),
            decision: if self.sent_close {
                Decision::Closing
            } else {
                Decision::Open
            },
            failed: None,
            note: None,
        };
        let DecodeOutput {
            frames,
            messages,
            violations,
            ..
        } = out;
        // Complete messages by the index of their last frame.
        let mut messages: HashMap<usize, Message> = messages
            .into_iter()
            .filter(|m| m.complete)
            .filter_map(|m| Some((*m.frames.last()?, m)))
            .collect();
        for frame in &frames {
            if let Some(v) = violations.iter().find(|v| v.frame == Some(frame.index)) {
                self.fail(v, &mut step);
                // A close that broke a rule is still the peer's close: no second one comes.
                if frame.kind == FrameKind::Close && step.decision == Decision::Closing {
                    self.received_close = true;
                    step.decision = Decision::Closed(format!(
                        "the peer's close broke a rule; the server closed with {}",
                        v.close_code().unwrap_or(1002)
                    ));
                }
            } else {
                self.walk(frame, &mut messages, &mut step);
            }
            if matches!(step.decision, Decision::Closed(_)) {
                return step;
            }
        }
        // Violations found in a frame's header (its payload still to come), or about no frame.
        let walked = |v: &&Violation| v.frame.is_some_and(|i| frames.iter().any(|f| f.index == i));
        if let Some(v) = violations.iter().find(|v| !walked(v)) {
            self.fail(v, &mut step);
        }
        step
    }

    fn walk(&mut self, frame: &Frame, messages: &mut HashMap<usize, Message>, step: &mut Step) {
        match frame.kind {
            // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong
            // frame in response, unless it already received a Close frame."
            FrameKind::Ping if !self.sent_close && !self.received_close => {
                step.events
                    .push(Event::Send(FrameSpec::pong(frame.payload.to_vec())));
            }
            FrameKind::Close => {
                self.received_close = true;
                let hixie = self.protocol == Protocol::Hixie76;
                let said = match (hixie, frame.close_code) {
                    (true, _) => "the closing frame".to_owned(),
                    (false, Some(code)) => format!("close {code}"),
                    (false, None) => "close without a code".to_owned(),
                };
                if self.sent_close {
                    step.decision = Decision::Closed(format!("the peer answered with {said}"));
                    return;
                }
                if hixie {
                    // draft-hixie-76 §4.2: on the closing frame "the server ... must send a
                    // 0xFF 0x00".
                    self.sent_close = true;
                    step.events.push(Event::SendHixieClose);
                } else {
                    // RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not
                    // previously send a Close frame, the endpoint MUST send a Close frame in
                    // response. ... the endpoint typically echos the status code it received."
                    let reason = frame.close_reason.clone().unwrap_or_default();
                    let close = self.close(frame.close_code, &reason);
                    step.events.push(Event::Send(close));
                }
                step.decision =
                    Decision::Closed(format!("the peer sent {said}; the server answered it"));
            }
            FrameKind::Text | FrameKind::Binary | FrameKind::Continuation if !self.sent_close => {
                if let Some(message) = messages.remove(&frame.index) {
                    step.events.push(Event::Message(message));
                }
            }
            _ => {}
        }
    }

    /// RFC 6455 §7.1.7: "_Fail the WebSocket Connection_": a close with the violation's code.
    /// hixie-76 has no close codes: its closing frame, and the connection is over.
    fn fail(&mut self, v: &Violation, step: &mut Step) {
        let id = v.id.as_str();
        if self.sent_close {
            step.decision = Decision::Closed(format!("{id} after the close: {v}"));
            return;
        }
        step.failed = Some(v.clone());
        if self.protocol == Protocol::Hixie76 {
            self.sent_close = true;
            step.events.push(Event::SendHixieClose);
            step.note = Some(format!("sent the closing frame: {id}: {v}"));
            step.decision = Decision::Closed(format!("{id}: {v}"));
        } else {
            let code = v.close_code().unwrap_or(1002);
            let close = self.close(Some(code), id);
            step.events.push(Event::Send(close));
            step.note = Some(format!("sent close {code}: {id}: {v}"));
            step.decision = Decision::Closing;
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

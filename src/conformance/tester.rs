//! The tester's side of one case, without I/O: the runner (a TCP client or server) hands it
//! the peer's bytes and the timers it asked for, and does what it says (send these bytes,
//! set this timer, drop the TCP connection). What it records and how the connection ended
//! give the verdicts ([`super::verdict`]).
//!
//! It behaves as Autobahn's tester does, so verdicts compare case by case: it answers
//! pings without recording them, answers a close with 1000, fails the connection on any
//! rule the peer breaks (the decoder's violations: 1002, or 1007 for invalid UTF-8),
//! closes the handshake within 1 s or drops TCP, and as a server drops TCP once the closing
//! handshake is done (as a client it waits up to 1 s for the server to).

use super::case::{op, Case, Event, Performance, Special, Step, Write};
use crate::encode::{encode_close_payload, encode_frame, FrameSpec};
use crate::{DecodeOptions, Decoder, Direction, MessageKind, Protocol, Role, ViolationId};

/// How long a closing handshake may take, and a server to drop TCP after it (Autobahn's
/// closeHandshakeTimeout and serverConnectionDropTimeout).
pub const CLOSE_TIMEOUT_MS: u64 = 1000;

/// Which side of the connection the tester is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The tester connected: it tests a server, and masks its frames.
    Client,
    /// The peer connected: the tester tests a client.
    Server,
}

/// A timer the tester asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    Kill,
    CloseAfter,
    /// The end of a [`Step::Wait`] (numbered: each wait once).
    Wait(u32),
    CloseHandshake,
    ServerDrop,
}

/// What the runner does for the tester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes, as `write` says.
    Send { bytes: Vec<u8>, write: Write },
    /// Call [`Tester::timer`] with this timer after this many milliseconds.
    Set(Timer, u64),
    /// Close the TCP connection.
    Drop,
}

/// Where the closing handshake is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    /// This side sent its close and waits for the peer's.
    Closing,
    /// Both closes went (or the tester gave up): TCP is to end.
    Closed,
}

/// How one case went, as the tester saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Events in arrival order.
    pub received: Vec<Event>,
    pub closed_by_me: bool,
    pub failed_by_me: bool,
    pub dropped_by_me: bool,
    pub was_clean: bool,
    pub was_not_clean_reason: Option<String>,
    pub close_handshake_timeout: bool,
    pub server_drop_timeout: bool,
    pub local_close_code: Option<u16>,
    pub local_close_reason: Option<String>,
    pub remote_close_code: Option<u16>,
    pub remote_close_reason: Option<String>,
    /// Frames each way by opcode (sent, received).
    pub tx_frames: std::collections::BTreeMap<u8, u64>,
    pub rx_frames: std::collections::BTreeMap<u8, u64>,
    /// The bytes of the connection after the opening handshake, each way, in order, with
    /// the milliseconds since the case began.
    pub wire: Vec<(Direction, Vec<u8>, u64)>,
    /// The rule the peer broke that made the tester fail the connection, if one did.
    pub peer_violation: Option<String>,
    /// Group 9: whether the answers were right, and what was seen (none came: `None`).
    pub performance: Option<(bool, String)>,
    /// Group 9: the answers that came right.
    pub round_trips: usize,
}

/// The tester of one case.
pub struct Tester {
    case: Case,
    side: Side,
    state: State,
    decoder: Decoder,
    /// The next step to run.
    next: usize,
    waits: u32,
    /// The frame a [`Step::Header`] began: its masking key (none when the tester does not
    /// mask) and how many of its payload bytes went.
    stream: Option<(Option<[u8; 4]>, usize)>,
    received_close: bool,
    tcp_closed: bool,
    seed: u64,
    observed: Observed,
    now: u64,
}

impl Tester {
    /// The tester of `case` as `side`; `seed` varies the masking keys.
    pub fn new(case: Case, side: Side, seed: u64) -> Tester {
        let options = DecodeOptions {
            // The peer's bytes: a server's when the tester is the client.
            role: match side {
                Side::Client => Role::Server,
                Side::Server => Role::Client,
            },
            protocol: Protocol::Rfc6455,
            ..DecodeOptions::default()
        };
        let decoder = match Decoder::new(options) {
            Ok(d) => d,
            // No extension string: the options cannot be refused.
            Err(_) => unreachable!("a decoder without extensions"),
        };
        Tester {
            case,
            side,
            state: State::Open,
            decoder,
            next: 0,
            waits: 0,
            stream: None,
            received_close: false,
            tcp_closed: false,
            seed: seed | 1,
            observed: Observed::default(),
            now: 0,
        }
    }

    /// The case.
    pub fn case(&self) -> &Case {
        &self.case
    }

    /// The connection is open: the case begins (`now`: milliseconds since it began).
    pub fn open(&mut self, now: u64) -> Vec<Action> {
        self.now = now;
        let mut out = Vec::new();
        self.run_steps(&mut out);
        out
    }

    /// Bytes from the peer.
    pub fn bytes(&mut self, bytes: &[u8], now: u64) -> Vec<Action> {
        self.now = now;
        self.observed
            .wire
            .push((peer_direction(self.side), bytes.to_vec(), now));
        let mut out = Vec::new();
        if self.state == State::Closed && self.received_close {
            return out;
        }
        let decoded = self.decoder.push(bytes);
        // The first frame that broke a rule: the frames before it count, it and those
        // after it do not (the tester fails the connection there).
        let failing = decoded
            .violations
            .iter()
            .map(|v| v.frame.unwrap_or(usize::MAX))
            .min();
        let ends: std::collections::HashMap<usize, &crate::Message> = decoded
            .messages
            .iter()
            .filter(|m| m.complete)
            .filter_map(|m| {
                let last = match &m.frames {
                    crate::message::FrameIndices::One(i) => Some(*i),
                    crate::message::FrameIndices::Many(v) => v.last().copied(),
                };
                last.map(|i| (i, m))
            })
            .collect();
        for frame in &decoded.frames {
            if failing.is_some_and(|f| frame.index >= f) || self.received_close {
                break;
            }
            *self.observed.rx_frames.entry(frame.opcode).or_default() += 1;
            match frame.opcode {
                op::PING => {
                    if self.state == State::Open {
                        self.send_frame(
                            FrameSpec::pong(frame.payload.to_vec()),
                            Write::Together,
                            &mut out,
                        );
                    }
                }
                op::PONG => self.record(Event::Pong(frame.payload.to_vec()), &mut out),
                op::CLOSE => {
                    let reason = (frame.payload.len() > 2)
                        .then(|| String::from_utf8_lossy(&frame.payload[2..]).into_owned());
                    self.peer_close(frame.close_code, reason, &mut out);
                }
                _ => {
                    if let Some(m) = ends.get(&frame.index) {
                        let binary = m.kind == MessageKind::Binary;
                        if let Special::Performance(p) = self.case.special {
                            self.answer(p, binary, m.data.len(), &mut out);
                            continue;
                        }
                        let event = Event::Message {
                            binary,
                            payload: m.data.to_vec(),
                        };
                        self.record(event, &mut out);
                    }
                }
            }
        }
        if let Some(v) = decoded.violations.first() {
            if failing.is_some() && !self.received_close {
                // A close whose code or reason breaks a rule still tells its code (Autobahn
                // takes remoteCloseCode before it checks them: 7.9.x, 7.13.x).
                let close = decoded
                    .frames
                    .iter()
                    .find(|f| Some(f.index) == failing && f.opcode == op::CLOSE);
                let about_body = decoded.violations.iter().any(|v| {
                    v.frame == failing
                        && matches!(
                            v.id,
                            ViolationId::InvalidCloseCode | ViolationId::InvalidUtf8
                        )
                });
                if let (Some(close), true) = (close, about_body) {
                    self.observed.remote_close_code = close.close_code;
                }
                let code = v.close_code().unwrap_or(1002);
                self.observed.peer_violation = Some(format!("{}: {}", v.id.as_str(), v.message));
                self.fail(code, "", &mut out);
            }
        }
        out
    }

    /// A timer the tester set went off.
    pub fn timer(&mut self, timer: Timer, now: u64) -> Vec<Action> {
        self.now = now;
        let mut out = Vec::new();
        match timer {
            Timer::Kill => match self.state {
                State::Open => self.fail(1001, "Going Away", &mut out),
                State::Closing => self.drop_tcp(&mut out),
                State::Closed => {}
            },
            Timer::CloseAfter => {
                if self.state == State::Open {
                    self.close(None, Vec::new(), &mut out);
                }
            }
            Timer::Wait(_) => {
                if self.state == State::Open {
                    self.run_steps(&mut out);
                }
            }
            Timer::CloseHandshake => {
                if self.state == State::Closing && !self.tcp_closed {
                    self.observed.close_handshake_timeout = true;
                    self.observed.was_clean = false;
                    self.observed.was_not_clean_reason =
                        Some("peer did not respond (in time) in closing handshake".into());
                    self.drop_tcp(&mut out);
                }
            }
            Timer::ServerDrop => {
                if !self.tcp_closed {
                    self.observed.server_drop_timeout = true;
                    self.observed.was_clean = false;
                    self.observed.was_not_clean_reason =
                        Some("server did not drop TCP connection (in time)".into());
                    self.drop_tcp(&mut out);
                }
            }
        }
        out
    }

    /// The TCP connection ended (the peer closed it, or the runner did on [`Action::Drop`]).
    pub fn tcp_closed(&mut self, now: u64) {
        self.now = now;
        if self.tcp_closed {
            return;
        }
        self.tcp_closed = true;
        if !self.received_close && self.observed.was_not_clean_reason.is_none() {
            self.observed.was_clean = false;
            self.observed.was_not_clean_reason = Some(
                "peer dropped the TCP connection without previous WebSocket closing handshake"
                    .into(),
            );
        }
        self.state = State::Closed;
    }

    /// Whether the runner is done with the connection.
    pub fn done(&self) -> bool {
        self.tcp_closed
    }

    /// What was observed.
    pub fn finish(self) -> (Case, Side, Observed) {
        (self.case, self.side, self.observed)
    }

    /// Runs steps up to the next wait. Steps run while the connection is open, and after the
    /// tester's own close in the same run too (7.1.x write frames after it), until it is
    /// closed; a step that is not a raw frame or a timer does nothing once the tester is
    /// closing (Autobahn's message and close calls do nothing then; its frame writer
    /// writes whatever the state).
    fn run_steps(&mut self, out: &mut Vec<Action>) {
        while self.state != State::Closed || self.next_is_timer() {
            let Some(step) = self.case.steps.get(self.next).cloned() else {
                return;
            };
            self.next += 1;
            let open = self.state == State::Open;
            match step {
                Step::Frame {
                    opcode,
                    payload,
                    fin,
                    rsv,
                    write,
                } => {
                    let mut spec = FrameSpec::new(opcode, payload);
                    spec.fin = fin;
                    spec.rsv1 = rsv & 4 != 0;
                    spec.rsv2 = rsv & 2 != 0;
                    spec.rsv3 = rsv & 1 != 0;
                    self.send_frame(spec, write, out);
                }
                Step::Message {
                    opcode,
                    payload,
                    fragment,
                } => {
                    if open {
                        self.send_message(opcode, &payload, fragment, out);
                    }
                }
                Step::Header {
                    opcode,
                    fin,
                    length,
                } => {
                    if open {
                        let mut header = FrameSpec::new(opcode, Vec::new());
                        header.fin = fin;
                        header.declared_length = Some(length);
                        let key = (self.side == Side::Client).then(|| self.mask());
                        header.masking_key = key;
                        self.stream = Some((key, 0));
                        self.send_raw(encode_frame(&header), Write::Together, out);
                    }
                }
                Step::Payload(mut bytes) => {
                    if let (true, Some((key, at))) = (open, self.stream.as_mut()) {
                        if let Some(key) = key {
                            crate::unmask(&mut bytes, *key, *at);
                        }
                        *at += bytes.len();
                        self.send_raw(bytes, Write::Together, out);
                    }
                }
                Step::Close { code, reason } => {
                    self.close(code, reason, out);
                }
                Step::RawClose(payload) if open => {
                    self.observed.local_close_code =
                        (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
                    self.observed.local_close_reason = (payload.len() > 2)
                        .then(|| payload[2..].iter().map(|b| format!("{b:02x}")).collect());
                    self.send_frame(FrameSpec::new(op::CLOSE, payload), Write::Together, out);
                    self.begin_closing(out);
                }
                Step::RawClose(_) => {}
                Step::Record(event) => {
                    if open {
                        self.record(event, out);
                    }
                }
                Step::Wait(ms) => {
                    self.waits += 1;
                    out.push(Action::Set(Timer::Wait(self.waits), ms));
                    return;
                }
                Step::KillAfter(ms) => out.push(Action::Set(Timer::Kill, ms)),
                Step::CloseAfter(ms) => out.push(Action::Set(Timer::CloseAfter, ms)),
            }
        }
    }

    /// Timers are armed whatever the state (a case that closes first still gives up
    /// in time).
    fn next_is_timer(&self) -> bool {
        matches!(
            self.case.steps.get(self.next),
            Some(Step::KillAfter(_) | Step::CloseAfter(_))
        )
    }

    /// Group 9: a message came back; its type and length are checked, and then the next
    /// round trip goes or the tester closes.
    fn answer(&mut self, p: Performance, binary: bool, length: usize, out: &mut Vec<Action>) {
        if self.observed.performance.is_some() || self.state != State::Open {
            return;
        }
        let (want_binary, want_length, count) = match p {
            Performance::One { binary, length } => (binary, length, 1),
            Performance::RoundTrips {
                binary,
                length,
                count,
            } => (binary, length, count),
        };
        let kind = |b: bool| if b { "binary" } else { "text" };
        if binary != want_binary || length != want_length {
            self.observed.performance = Some((
                false,
                format!(
                    "Expected a {} message of length {want_length}, but got a {} message of length {length}.",
                    kind(want_binary),
                    kind(binary)
                ),
            ));
            return self.close(Some(1000), Vec::new(), out);
        }
        self.observed.round_trips += 1;
        if self.observed.round_trips < count {
            let opcode = if want_binary { op::BIN } else { op::TEXT };
            let payload = match self.case.steps.first() {
                Some(Step::Message { payload, .. }) => payload.clone(),
                _ => vec![b'*'; want_length],
            };
            return self.send_message(opcode, &payload, 0, out);
        }
        let text = if count == 1 {
            format!("Received a {} message of length {length}.", kind(binary))
        } else {
            "Ok, received all echoed messages in time.".to_string()
        };
        self.observed.performance = Some((true, text));
        self.close(Some(1000), Vec::new(), out);
    }

    fn send_message(&mut self, opcode: u8, payload: &[u8], fragment: usize, out: &mut Vec<Action>) {
        if fragment == 0 || payload.len() <= fragment {
            return self.send_frame(
                FrameSpec::new(opcode, payload.to_vec()),
                Write::Together,
                out,
            );
        }
        let mut at = 0;
        let mut first = true;
        loop {
            let end = at + fragment;
            let code = if first { opcode } else { op::CONT };
            first = false;
            if end > payload.len() {
                return self.send_frame(
                    FrameSpec::new(code, payload[at..].to_vec()),
                    Write::Together,
                    out,
                );
            }
            let mut spec = FrameSpec::new(code, payload[at..end].to_vec());
            spec.fin = false;
            self.send_frame(spec, Write::Together, out);
            at = end;
        }
    }

    fn send_frame(&mut self, mut spec: FrameSpec, write: Write, out: &mut Vec<Action>) {
        if self.side == Side::Client {
            spec.masking_key = Some(self.mask());
        }
        *self.observed.tx_frames.entry(spec.opcode).or_default() += 1;
        let bytes = encode_frame(&spec);
        self.send_raw(bytes, write, out);
    }

    /// Bytes as they are.
    fn send_raw(&mut self, bytes: Vec<u8>, write: Write, out: &mut Vec<Action>) {
        self.observed
            .wire
            .push((my_direction(self.side), bytes.clone(), self.now));
        out.push(Action::Send { bytes, write });
    }

    fn mask(&mut self) -> [u8; 4] {
        // xorshift64: masking keys need not be secret here, only varied.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        (self.seed as u32).to_be_bytes()
    }

    fn record(&mut self, event: Event, out: &mut Vec<Action>) {
        self.observed.received.push(event);
        // Autobahn's "finish when done": once what came equals every outcome's list (a
        // case of one outcome, matched) and the tester is to close, it closes with its
        // first allowed code.
        let all = !self.case.expected.is_empty()
            && self
                .case
                .expected
                .iter()
                .all(|(_, events)| *events == self.observed.received);
        if all && self.case.expected_close.closed_by_me && self.state == State::Open {
            let code = self.case.expected_close.codes.first().copied();
            self.close(code, Vec::new(), out);
        }
    }

    /// This side begins the closing handshake.
    fn close(&mut self, code: Option<u16>, reason: Vec<u8>, out: &mut Vec<Action>) {
        if self.state != State::Open {
            return;
        }
        self.observed.closed_by_me = true;
        self.observed.local_close_code = code;
        self.observed.local_close_reason =
            (!reason.is_empty()).then(|| String::from_utf8_lossy(&reason).into_owned());
        let payload = match code {
            Some(code) => {
                let mut p = encode_close_payload(code, "");
                p.extend_from_slice(&reason);
                p
            }
            None => Vec::new(),
        };
        self.send_frame(FrameSpec::new(op::CLOSE, payload), Write::Together, out);
        self.begin_closing(out);
    }

    fn begin_closing(&mut self, out: &mut Vec<Action>) {
        if self.state == State::Open {
            self.observed.closed_by_me = true;
            self.state = State::Closing;
            out.push(Action::Set(Timer::CloseHandshake, CLOSE_TIMEOUT_MS));
        }
    }

    /// The tester fails the connection: a close with `code` when open, else TCP dropped.
    fn fail(&mut self, code: u16, reason: &str, out: &mut Vec<Action>) {
        self.observed.failed_by_me = true;
        match self.state {
            State::Open => self.close(Some(code), reason.as_bytes().to_vec(), out),
            State::Closing | State::Closed => self.drop_tcp(out),
        }
    }

    /// The peer's close.
    fn peer_close(&mut self, code: Option<u16>, reason: Option<String>, out: &mut Vec<Action>) {
        self.received_close = true;
        self.observed.remote_close_code = code;
        self.observed.remote_close_reason = reason;
        if self.state == State::Open {
            // Autobahn's tester answers every close with 1000 and no reason.
            self.observed.local_close_code = Some(1000);
            self.send_frame(
                FrameSpec::new(op::CLOSE, encode_close_payload(1000, "")),
                Write::Together,
                out,
            );
        }
        self.observed.was_clean = true;
        self.state = State::Closed;
        match self.side {
            Side::Server => self.drop_tcp(out),
            Side::Client => out.push(Action::Set(Timer::ServerDrop, CLOSE_TIMEOUT_MS)),
        }
    }

    fn drop_tcp(&mut self, out: &mut Vec<Action>) {
        if !self.tcp_closed {
            self.observed.dropped_by_me = true;
            self.state = State::Closed;
            out.push(Action::Drop);
        }
    }
}

fn my_direction(side: Side) -> Direction {
    match side {
        Side::Client => Direction::Client,
        Side::Server => Direction::Server,
    }
}

fn peer_direction(side: Side) -> Direction {
    match side {
        Side::Client => Direction::Server,
        Side::Server => Direction::Client,
    }
}

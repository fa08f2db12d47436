//! What a conformance case is: what the tester sends and when, the events it expects back
//! and how the connection must close. The cases themselves are in [`super::cases`], with
//! the Autobahn TestSuite's ids, written from its published descriptions and expectations
//! and from RFC 6455 and RFC 7692.

/// A verdict, as the Autobahn TestSuite's reports spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Behavior {
    Ok,
    NonStrict,
    Informational,
    Unimplemented,
    Failed,
    /// Close verdicts only: the peer's close code is not one allowed.
    WrongCode,
    /// Close verdicts only: a clean close was required.
    Unclean,
    /// Close verdicts only (the tester is the client): the tester had to drop TCP.
    FailedByClient,
}

impl Behavior {
    /// `"OK"`, `"NON-STRICT"`, `"INFORMATIONAL"`, `"UNIMPLEMENTED"`, `"FAILED"`, `"WRONG
    /// CODE"`, `"UNCLEAN"`, `"FAILED BY CLIENT"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Behavior::Ok => "OK",
            Behavior::NonStrict => "NON-STRICT",
            Behavior::Informational => "INFORMATIONAL",
            Behavior::Unimplemented => "UNIMPLEMENTED",
            Behavior::Failed => "FAILED",
            Behavior::WrongCode => "WRONG CODE",
            Behavior::Unclean => "UNCLEAN",
            Behavior::FailedByClient => "FAILED BY CLIENT",
        }
    }
}

/// Something the peer did that the tester records (its pings are answered, not recorded;
/// closes are judged apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A whole message, reassembled (and inflated).
    Message { binary: bool, payload: Vec<u8> },
    /// A pong and its payload.
    Pong(Vec<u8>),
    /// Recorded by the tester itself: the connection was still open when a wait ended
    /// (6.4.x tell failing fast from failing late by these).
    Timeout(&'static str),
}

impl Event {
    pub fn text(payload: impl Into<Vec<u8>>) -> Event {
        Event::Message {
            binary: false,
            payload: payload.into(),
        }
    }

    pub fn binary(payload: impl Into<Vec<u8>>) -> Event {
        Event::Message {
            binary: true,
            payload: payload.into(),
        }
    }
}

/// How a frame's bytes go to the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Write {
    /// Back to back with what comes before and after (they may share a TCP segment).
    #[default]
    Together,
    /// As one write of its own, then a pause ("sync").
    Alone,
    /// In writes of this many bytes, each followed by a pause ("chop").
    Chopped(usize),
}

/// One thing the tester does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// One frame exactly as given, valid or not.
    Frame {
        opcode: u8,
        payload: Vec<u8>,
        fin: bool,
        /// The three reserved bits (RSV1 = 4).
        rsv: u8,
        write: Write,
    },
    /// A message through the tester's message API: one frame when it fits `fragment`
    /// (0: never split), else frames of `fragment` bytes (the first with the opcode, the
    /// rest continuations, FIN on the last; when the length is an exact multiple, an
    /// empty final continuation follows, as Autobahn's tester sends it).
    Message {
        opcode: u8,
        payload: Vec<u8>,
        fragment: usize,
    },
    /// A frame's header alone, announcing `length` payload bytes that [`Step::Payload`]
    /// steps send later (6.4.3, 6.4.4 stream one frame across waits). Written together
    /// with what follows; not counted in the frames sent (Autobahn's streamed frames are
    /// not).
    Header { opcode: u8, fin: bool, length: u64 },
    /// Payload bytes of the frame whose [`Step::Header`] went last, masked on with its
    /// key when the tester masks; sent only while the connection is open.
    Payload(Vec<u8>),
    /// The closing handshake begins: a close with this code and reason (none: an empty
    /// close), the tester then waits for the peer's.
    Close { code: Option<u16>, reason: Vec<u8> },
    /// A close whose payload is exactly these bytes, unchecked; the tester then waits for
    /// the peer's close as after [`Step::Close`].
    RawClose(Vec<u8>),
    /// Record an event, when the connection is still open (6.4.x's timeouts).
    Record(Event),
    /// Wait, then go on with the next steps if the connection is still open.
    Wait(u64),
    /// After this many milliseconds, if the connection is not closed yet: close with 1001
    /// "Going Away" (or drop TCP when already closing).
    KillAfter(u64),
    /// After this many milliseconds, if it is still open: an empty close.
    CloseAfter(u64),
}

/// How the connection must close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedClose {
    /// The tester sends the first close (else the peer must).
    pub closed_by_me: bool,
    /// The peer's close codes allowed (no code at all is always allowed).
    pub codes: Vec<u16>,
    /// A clean closing handshake is required.
    pub require_clean: bool,
    /// When the wrong side closes, the events verdict fails too (UTF-8 cases: the peer did
    /// not notice the invalid text itself).
    pub wrong_endpoint_fatal: bool,
}

impl ExpectedClose {
    /// The tester closes with 1000 once the events came, cleanly.
    pub fn tester_normal() -> ExpectedClose {
        ExpectedClose {
            closed_by_me: true,
            codes: vec![1000],
            require_clean: true,
            wrong_endpoint_fatal: false,
        }
    }

    /// The peer fails the connection with one of `codes` (or just drops TCP).
    pub fn peer(codes: &[u16]) -> ExpectedClose {
        ExpectedClose {
            closed_by_me: false,
            codes: codes.to_vec(),
            require_clean: false,
            wrong_endpoint_fatal: false,
        }
    }
}

/// Verdict rules some groups add to the common ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Special {
    #[default]
    None,
    /// A close verdict of WRONG CODE fails the case (group 7's close codes).
    WrongCodeFails,
    /// Whatever happens, both verdicts are INFORMATIONAL (7.1.6, 7.13.x).
    Informational,
    /// The events verdict fails unless the tester sent exactly this many text frames and
    /// continuation frames (10.1.1: Autobahn checks its own auto-fragmentation).
    SentFrames { text: u64, continuation: u64 },
    /// Group 9: no events are recorded; the answer's type and length decide (content is
    /// not compared, as in Autobahn's), and the time is the figure reported.
    Performance(Performance),
}

/// What a group 9 case waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Performance {
    /// One message back of this type and length, after the steps sent one.
    One { binary: bool, length: usize },
    /// `count` messages of this type and length, each sent once the last came back.
    RoundTrips {
        binary: bool,
        length: usize,
        count: usize,
    },
}

/// One conformance case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The Autobahn TestSuite's id: `"6.4.1"`.
    pub id: String,
    /// What the tester does, for people (may hold `<br>` as Autobahn's do).
    pub description: String,
    /// What a conformant peer does, for people.
    pub expectation: String,
    /// What the tester does once the connection is open, in order.
    pub steps: Vec<Step>,
    /// The outcomes: an exact event list each, the first that equals what was received
    /// wins.
    pub expected: Vec<(Behavior, Vec<Event>)>,
    pub expected_close: ExpectedClose,
    pub special: Special,
}

impl Case {
    /// A case whose one OK outcome is `events`.
    pub fn new(
        id: &str,
        description: &str,
        expectation: &str,
        steps: Vec<Step>,
        events: Vec<Event>,
        close: ExpectedClose,
    ) -> Case {
        Case {
            id: id.to_string(),
            description: description.to_string(),
            expectation: expectation.to_string(),
            steps,
            expected: vec![(Behavior::Ok, events)],
            expected_close: close,
            special: Special::None,
        }
    }

    /// The id as numbers, for ordering: `"6.4.1"` → `[6, 4, 1]`.
    pub fn key(&self) -> Vec<u32> {
        self.id.split('.').filter_map(|p| p.parse().ok()).collect()
    }
}

/// A frame step with FIN set, no reserved bits, written together with its neighbours.
pub fn frame(opcode: u8, payload: impl Into<Vec<u8>>) -> Step {
    Step::Frame {
        opcode,
        payload: payload.into(),
        fin: true,
        rsv: 0,
        write: Write::Together,
    }
}

/// A frame step with every field given.
pub fn frame_with(
    opcode: u8,
    payload: impl Into<Vec<u8>>,
    fin: bool,
    rsv: u8,
    write: Write,
) -> Step {
    Step::Frame {
        opcode,
        payload: payload.into(),
        fin,
        rsv,
        write,
    }
}

/// The opcodes, by name.
pub mod op {
    pub const CONT: u8 = 0;
    pub const TEXT: u8 = 1;
    pub const BIN: u8 = 2;
    pub const CLOSE: u8 = 8;
    pub const PING: u8 = 9;
    pub const PONG: u8 = 10;
}

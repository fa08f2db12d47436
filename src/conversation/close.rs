//! The closing handshake as a fact (RFC 6455 §7.1.2, §5.5.1): who sent the first Close,
//! with which code, whether and when the other side answered, and what data came after.

use std::collections::VecDeque;

use super::Sided;
use crate::coding::FrameKind;
use crate::direction::Direction;
use crate::frame::Frame;

/// One Close frame of the closing handshake.
#[derive(Debug, Clone, PartialEq)]
pub struct CloseEvent {
    /// Who sent it.
    pub direction: Direction,
    /// Its frame index in that direction.
    pub frame: usize,
    /// Its offset in that direction.
    pub offset: u64,
    /// The status code, when the payload has one.
    pub code: Option<u16>,
    /// The reason, when the payload has one.
    pub reason: Option<String>,
    /// When it was captured, when known.
    pub time: Option<f64>,
    /// The packet that carried its first byte, when known.
    pub packet: Option<u64>,
}

/// A data frame sent after the closing handshake began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateFrame {
    /// Who sent it.
    pub direction: Direction,
    /// Its frame index in that direction.
    pub frame: usize,
}

/// How the conversation closed. Which Close was first, and so which data came after it,
/// is decided by packet numbers or times when the input has them, and otherwise by the
/// order in which the two directions' bytes were fed: with two Close frames in flight at
/// once and no times, another interleaving can name the other side first (every
/// per-direction fact stays the same).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloseSummary {
    /// The first Close frame, from either side.
    pub first: Option<CloseEvent>,
    /// The other side's Close in answer, when it came.
    pub reply: Option<CloseEvent>,
    /// Data frames that came after the first Close: the closer's own (RFC 6455 §5.5.1:
    /// "The application MUST NOT send any more data frames after sending a Close frame")
    /// and the other side's before or after its answer.
    pub data_after_close: Vec<LateFrame>,
}

/// Whether `a` came before `b` by packet number or time, when both say.
fn earlier<T>(a: &Sided<T>, b: &CloseEvent) -> Option<bool> {
    match (a.packet, b.packet, a.time, b.time) {
        (Some(x), Some(y), _, _) => Some(x < y),
        (_, _, Some(x), Some(y)) => Some(x < y),
        _ => None,
    }
}

/// Data frames kept to find, once a Close arrives, those of the other direction that a
/// push of its bytes ahead of the Close's let through: the latest few.
const RECENT: usize = 64;

/// Whether a data frame came after the first Close: the closer's own by index, the
/// other side's by packet or time (`unknown`: what to answer when neither says).
fn late<T>(f: &Sided<T>, index: usize, first: &CloseEvent, unknown: bool) -> bool {
    if f.direction == first.direction {
        index > first.frame
    } else {
        earlier(f, first).map_or(unknown, |e| !e)
    }
}

impl CloseSummary {
    /// The summary of a whole timeline, taken in its order.
    pub fn of(frames: &[Sided<Frame>]) -> CloseSummary {
        let mut summary = CloseSummary::default();
        let mut recent = VecDeque::new();
        for f in frames {
            summary.observe(f, &mut recent);
        }
        summary
    }

    /// Takes the next frame of a direction; `recent` holds the latest data frames, which
    /// a Close arriving later checks by their packets or times.
    pub(crate) fn observe(&mut self, f: &Sided<Frame>, recent: &mut VecDeque<Sided<LateFrame>>) {
        let frame = &f.item;
        match frame.kind {
            FrameKind::Close => {
                let event = CloseEvent {
                    direction: f.direction,
                    frame: frame.index,
                    offset: frame.offset,
                    code: frame.close_code,
                    reason: frame.close_reason.clone(),
                    time: f.time,
                    packet: f.packet,
                };
                let changed = match &self.first {
                    None => {
                        self.first = Some(event);
                        true
                    }
                    Some(first) if self.reply.is_none() && first.direction != f.direction => {
                        // Both directions' bytes may be pushed in any interleaving: the
                        // packet numbers or times say which Close really came first.
                        if earlier(f, first) == Some(true) {
                            self.reply = self.first.replace(event);
                            true
                        } else {
                            self.reply = Some(event);
                            false
                        }
                    }
                    _ => false,
                };
                if let (true, Some(first)) = (changed, &self.first) {
                    let mut found: Vec<LateFrame> = recent
                        .iter()
                        .filter(|r| late(r, r.item.frame, first, false))
                        .map(|r| r.item)
                        .collect();
                    found.extend(
                        self.data_after_close
                            .iter()
                            .filter(|l| l.direction != first.direction || l.frame > first.frame),
                    );
                    found.sort_by_key(|l| (l.direction, l.frame));
                    found.dedup();
                    self.data_after_close = found;
                }
            }
            FrameKind::Text | FrameKind::Binary | FrameKind::Continuation => {
                let sided = Sided {
                    direction: f.direction,
                    time: f.time,
                    packet: f.packet,
                    item: LateFrame {
                        direction: f.direction,
                        frame: frame.index,
                    },
                };
                if let Some(first) = &self.first {
                    if late(&sided, frame.index, first, true) {
                        self.data_after_close.push(sided.item);
                    }
                }
                if recent.len() == RECENT {
                    recent.pop_front();
                }
                recent.push_back(sided);
            }
            _ => {}
        }
    }
}

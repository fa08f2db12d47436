//! Which TCP connections are WebSocket conversations: the client's direction begins with
//! an HTTP request that asks to upgrade to WebSocket (RFC 6455 §4.1, or a hixie-75/76
//! request), on any port. Connections that began before the capture are candidates when
//! both directions look like frames, one side masking and the other not.
//!
//! A connection's first bytes wait here until that is known (at most [`DECIDE_LIMIT`] a
//! side); then a WebSocket conversation's bytes go into its conversation as they come
//! (see [`Held::replay`]), and everything else is counted and let go.

use crate::conversation::resync::{scan, Expect, Scan};
use crate::conversation::Builder;
use crate::direction::{ChunkMeta, Direction};
use crate::handshake::{parse_handshake, MAX_HEAD_CEILING};
use crate::transcript::Gap;

/// The most bytes a side's start is held while deciding what the connection is.
pub(crate) const DECIDE_LIMIT: usize = MAX_HEAD_CEILING;

/// What a connection turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Not known yet.
    Undecided,
    /// A WebSocket conversation whose client is this side (0: the initiator).
    WebSocket { client_side: usize },
    /// Both directions began before the capture and look like frames; the masking
    /// side is the client.
    MidStream { client_side: usize },
    /// Something else.
    Other,
}

/// A connection's bytes as they come, each side in stream order.
#[derive(Debug, Default)]
pub(crate) struct Held {
    /// Every chunk, both sides, in arrival order: (side, bytes, time and packet).
    pub(crate) chunks: Vec<(usize, Vec<u8>, ChunkMeta)>,
    /// Holes: (side, bytes of that side present before the hole, missing, packet).
    pub(crate) gaps: Vec<(usize, u64, u64, Option<u64>)>,
    /// Bytes present on each side.
    pub(crate) present: [u64; 2],
}

impl Held {
    /// Adds a side's next bytes.
    pub(crate) fn data(&mut self, side: usize, bytes: &[u8], meta: ChunkMeta) {
        self.present[side] += bytes.len() as u64;
        match self.chunks.last_mut() {
            // One chunk per packet, so a chunk's meta is its packet's.
            Some((s, b, m)) if *s == side && *m == meta => b.extend_from_slice(bytes),
            _ => self.chunks.push((side, bytes.to_vec(), meta)),
        }
    }

    /// A hole in a side's stream.
    pub(crate) fn gap(&mut self, side: usize, missing: u64, packet: Option<u64>) {
        self.gaps.push((side, self.present[side], missing, packet));
    }

    /// The first bytes of a side up to its first hole, as far as they have come (at
    /// most `limit`).
    pub(crate) fn start(&self, side: usize, limit: usize) -> Vec<u8> {
        let end = self
            .gaps
            .iter()
            .find(|g| g.0 == side)
            .map_or(u64::MAX, |g| g.1);
        let mut bytes = Vec::new();
        for (s, b, _) in self.chunks.iter().filter(|c| c.0 == side) {
            let _ = s;
            let room = (end.min(limit as u64) as usize).saturating_sub(bytes.len());
            bytes.extend_from_slice(&b[..b.len().min(room)]);
            if bytes.len() >= limit {
                break;
            }
        }
        bytes
    }

    /// Whether a side's start is all there is of its first `limit` bytes (a hole or
    /// the end of the connection came before).
    pub(crate) fn start_is_final(&self, side: usize, ended: bool) -> bool {
        ended || self.gaps.iter().any(|g| g.0 == side)
    }

    /// Hands every chunk (`Ok`) and hole (`Err((missing, packet))`) over in order, each
    /// with its side: a side's holes where they fall among its bytes.
    pub(crate) fn each(
        self,
        mut f: impl FnMut(usize, Result<(&[u8], ChunkMeta), (u64, Option<u64>)>),
    ) {
        let mut present = [0u64; 2];
        let mut pending = self.gaps;
        for (side, bytes, meta) in &self.chunks {
            pending.retain(|&(s, offset, missing, packet)| {
                let due = s == *side && offset <= present[s];
                if due {
                    f(s, Err((missing, packet)));
                }
                !due
            });
            f(*side, Ok((bytes, *meta)));
            present[*side] += bytes.len() as u64;
        }
        for (side, _, missing, packet) in pending {
            f(side, Err((missing, packet)));
        }
    }

    /// Its holes, `client_side` as the client, as a transcript's gaps.
    pub(crate) fn gaps(&self, client_side: usize) -> Vec<Gap> {
        self.gaps
            .iter()
            .map(|&(side, offset, missing, packet)| Gap {
                direction: direction(side, client_side),
                offset,
                missing,
                packet,
            })
            .collect()
    }

    /// Pushes what was held into a conversation, `client_side` as the client, with its
    /// holes (from [`Held::gaps`]).
    pub(crate) fn replay(self, client_side: usize, gaps: &[Gap], builder: &mut Builder) {
        let chunks = self
            .chunks
            .iter()
            .map(|(side, bytes, meta)| (direction(*side, client_side), bytes.as_slice(), *meta));
        builder.feed(chunks, gaps);
    }
}

/// Who sent side `side`'s bytes when `client_side` is the client.
pub(crate) fn direction(side: usize, client_side: usize) -> Direction {
    if side == client_side {
        Direction::Client
    } else {
        Direction::Server
    }
}

/// What a side's first bytes say, as far as they have come: `Some(true)` for a request
/// head asking for WebSocket, `Some(false)` for anything else, `None` until known.
fn upgrade_request(start: &[u8], is_final: bool) -> Option<bool> {
    const GET: &[u8] = b"GET ";
    if start.len() < GET.len() {
        return if GET.starts_with(start) && !is_final {
            None
        } else {
            Some(false)
        };
    }
    if !start.starts_with(GET) {
        return Some(false);
    }
    let head = parse_handshake(start);
    if !head.is_complete() && head.error.is_none() && !is_final && start.len() < DECIDE_LIMIT {
        return None;
    }
    // RFC 6455 §4.1: "The request MUST contain an |Upgrade| header field whose value MUST
    // include the "websocket" keyword" (hixie-75/76 send "WebSocket").
    let asks = head.headers_named("upgrade").any(|h| {
        h.value
            .split(',')
            .any(|token| token.trim().eq_ignore_ascii_case("websocket"))
    });
    Some(asks)
}

/// Decides what a connection is from the bytes held. `syn_seen`: its opening was
/// captured; `ended`: no more bytes will come.
pub(crate) fn decide(held: &Held, syn_seen: bool, ended: bool) -> Verdict {
    let starts = [0, 1].map(|side| held.start(side, DECIDE_LIMIT));
    let finals = [0, 1].map(|side| held.start_is_final(side, ended));
    let asks = [0, 1].map(|side| upgrade_request(&starts[side], finals[side]));
    if let Some(side) = (0..2).find(|&side| asks[side] == Some(true)) {
        return Verdict::WebSocket { client_side: side };
    }
    // With the opening captured, side 0 is the client: if it does not send a request,
    // nothing the other side sends makes this WebSocket.
    let cut_request = starts[0].starts_with(b"GET ") && !parse_handshake(&starts[0]).is_complete();
    if syn_seen && asks[0] == Some(false) && !cut_request {
        return Verdict::Other;
    }
    // One side sent a full window and the other nothing: its masks cannot be compared, and
    // holding more would cost memory for traffic that may not be WebSocket at all.
    if starts.iter().any(|s| s.len() >= DECIDE_LIMIT) && starts.iter().any(Vec::is_empty) {
        return Verdict::Other;
    }
    if asks.iter().any(Option::is_none) {
        return Verdict::Undecided;
    }
    // A request head a gap cut short (a snapshot length shorter than the head) cannot
    // show its Upgrade header; a "101 Switching Protocols" answer shows it asked.
    for side in 0..2 {
        let cut_short = starts[side].starts_with(b"GET ")
            && held.gaps.iter().any(|g| g.0 == side)
            && !parse_handshake(&starts[side]).is_complete();
        let switched = [b"HTTP/1.1 101 ".as_slice(), b"HTTP/1.0 101 "]
            .iter()
            .any(|p| starts[1 - side].starts_with(p));
        if cut_short && switched {
            return Verdict::WebSocket { client_side: side };
        }
    }
    // Neither side asked. A connection whose opening was captured is not WebSocket.
    if syn_seen
        || starts
            .iter()
            .any(|s| s.starts_with(b"GET ") || s.starts_with(b"HTTP/"))
    {
        return Verdict::Other;
    }
    mid_stream(&starts, finals)
}

/// Both directions look like frames: one side's masked, the other's not (RFC 6455 §5.1).
fn mid_stream(starts: &[Vec<u8>; 2], finals: [bool; 2]) -> Verdict {
    let looks = |side: usize, masked: bool| {
        let bytes = &starts[side];
        let ended = finals[side] || bytes.len() >= DECIDE_LIMIT;
        let expect = Expect { masked, rsv1: true };
        match scan(bytes, 0, expect, ended) {
            Scan::Found(_) => Some(true),
            Scan::None => Some(false),
            Scan::NeedMore(_) => None,
        }
    };
    for client_side in 0..2 {
        match (looks(client_side, true), looks(1 - client_side, false)) {
            (Some(true), Some(true)) => return Verdict::MidStream { client_side },
            (None, _) | (_, None) => return Verdict::Undecided,
            _ => {}
        }
    }
    Verdict::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(client: &[u8], server: &[u8]) -> Held {
        let mut h = Held::default();
        h.data(0, client, ChunkMeta::default());
        h.data(1, server, ChunkMeta::default());
        h
    }

    const REQUEST: &[u8] =
        b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

    #[test]
    fn an_upgrade_request_on_either_side_is_websocket() {
        assert_eq!(
            decide(&held(REQUEST, b""), true, false),
            Verdict::WebSocket { client_side: 0 }
        );
        assert_eq!(
            decide(&held(b"", REQUEST), false, false),
            Verdict::WebSocket { client_side: 1 }
        );
    }

    #[test]
    fn a_request_waits_for_its_head_and_plain_http_is_other() {
        assert_eq!(
            decide(&held(&REQUEST[..30], b""), true, false),
            Verdict::Undecided
        );
        assert_eq!(decide(&held(b"GE", b""), true, false), Verdict::Undecided);
        let plain = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(decide(&held(plain, b""), true, false), Verdict::Other);
        assert_eq!(
            decide(&held(b"\x16\x03\x01", b""), true, false),
            Verdict::Other
        );
    }

    #[test]
    fn a_request_cut_by_the_snapshot_length_is_websocket_when_the_server_switched() {
        let mut h = Held::default();
        h.data(0, &REQUEST[..34], ChunkMeta::default());
        h.gap(0, (REQUEST.len() - 34) as u64, Some(4));
        assert_eq!(decide(&h, true, false), Verdict::Undecided);
        h.data(
            1,
            b"HTTP/1.1 101 Switching Protocols\r\n",
            ChunkMeta::default(),
        );
        assert_eq!(
            decide(&h, true, false),
            Verdict::WebSocket { client_side: 0 }
        );
        let mut other = Held::default();
        other.data(0, &REQUEST[..34], ChunkMeta::default());
        other.gap(0, 10, Some(4));
        other.data(1, b"HTTP/1.1 200 OK\r\n", ChunkMeta::default());
        assert_eq!(decide(&other, true, false), Verdict::Other);
    }

    #[test]
    fn frames_both_ways_without_an_opening_are_a_mid_stream_candidate() {
        let client = [0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b, 0x88, 0x80, 0, 0, 0, 0];
        let server = [0x81, 0x02, b'h', b'i', 0x8a, 0x00];
        assert_eq!(
            decide(&held(&server, &client), false, true),
            Verdict::MidStream { client_side: 1 }
        );
        assert_eq!(decide(&held(&server, &client), true, true), Verdict::Other);
        assert_eq!(
            decide(&held(b"hello", b"world"), false, true),
            Verdict::Other
        );
        // A side that sends a whole window while the other stays silent is let go.
        let flood = vec![0x82; DECIDE_LIMIT];
        assert_eq!(decide(&held(&flood, b""), false, false), Verdict::Other);
        assert_eq!(
            decide(&held(&flood[..100], b""), false, false),
            Verdict::Undecided
        );
    }
}

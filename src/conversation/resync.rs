//! Finding the next frame after bytes went missing (a capture's gap) or when a stream
//! starts in the middle of a connection: a plausible frame header, confirmed by the next
//! frame starting where this one ends. What was skipped is said in a notice; nothing is
//! glued across the hole.

use crate::direction::Direction;

/// The frames after a gap are looked for in at most this many bytes; a candidate frame
/// that would end past it is not considered.
pub(crate) const RESYNC_WINDOW: usize = 16 << 20;

/// What the bytes of a direction must look like to be taken as a frame header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect {
    /// RFC 6455 §5.1: "a client MUST mask all frames that it sends to the server ... A
    /// server MUST NOT mask any frames that it sends to the client."
    pub(crate) masked: bool,
    /// RSV1 is meaningful (permessage-deflate was agreed, or may have been).
    pub(crate) rsv1: bool,
}

impl Expect {
    /// The mask bit each direction's frames carry.
    pub(crate) fn for_direction(direction: Direction, rsv1: bool) -> Expect {
        Expect {
            masked: direction == Direction::Client,
            rsv1,
        }
    }
}

/// The outcome of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A frame starts here, and the one after it is where it ends (or the bytes end
    /// exactly there and no more will come).
    Found(usize),
    /// Every position before this one was ruled out; the one here needs more bytes.
    NeedMore(usize),
    /// No position in the bytes can start a frame (with `ended`, or past the window).
    None,
}

/// A header's length in bytes and its frame's whole length, when the bytes at `at`
/// are a plausible header; `Err(true)` when more bytes are needed to tell.
fn header(bytes: &[u8], at: usize, first: bool, expect: Expect) -> Result<(usize, u64), bool> {
    let b = &bytes[at..];
    let (&b0, &b1) = match (b.first(), b.get(1)) {
        (Some(b0), Some(b1)) => (b0, b1),
        _ => return Err(true),
    };
    let (fin, rsv, opcode) = (b0 & 0x80 != 0, (b0 >> 4) & 0x7, b0 & 0x0f);
    let control = opcode >= 8;
    // RFC 6455 §5.2: opcodes 3-7 and 0xB-0xF are reserved; a frame after a gap cannot be
    // a continuation (its message began in the missing bytes).
    let known = matches!(opcode, 1 | 2 | 8 | 9 | 10) || (opcode == 0 && !first);
    // RSV2 and RSV3 are never set without an extension that defines them; RSV1 only on
    // the first frame of a data message, with permessage-deflate (RFC 7692 §6).
    let rsv_ok = rsv & 0b011 == 0 && (rsv & 0b100 == 0 || (expect.rsv1 && matches!(opcode, 1 | 2)));
    let masked = b1 & 0x80 != 0;
    let len7 = u64::from(b1 & 0x7f);
    // §5.5: "All control frames MUST have a payload length of 125 bytes or less and
    // MUST NOT be fragmented."
    if !known || !rsv_ok || masked != expect.masked || (control && (!fin || len7 > 125)) {
        return Err(false);
    }
    let (extended, length) = match len7 {
        126 => {
            let Some(x) = b.get(2..4) else {
                return Err(true);
            };
            let n = u64::from(u16::from_be_bytes([x[0], x[1]]));
            // §5.2: "the minimal number of bytes MUST be used to encode the length".
            if n < 126 {
                return Err(false);
            }
            (2, n)
        }
        127 => {
            let Some(x) = b.get(2..10) else {
                return Err(true);
            };
            let n = u64::from_be_bytes(x.try_into().unwrap_or_default());
            if n <= 0xffff || n >> 63 != 0 {
                return Err(false);
            }
            (8, n)
        }
        n => (0, n),
    };
    let head = 2 + extended + if masked { 4 } else { 0 };
    Ok((head, head as u64 + length))
}

/// How many headers in a row, each starting where the one before ends, confirm a
/// candidate: random bytes pass one plausibility check now and then (a masked client's
/// payload, say), three in a row about once in millions of positions.
const CHAIN: usize = 3;

/// Looks for the first position, from `from`, where a frame starts that the next frames
/// confirm (see [`CHAIN`]), or that ends exactly where the bytes end. `ended`: no more
/// bytes will come.
pub(crate) fn scan(bytes: &[u8], from: usize, expect: Expect, ended: bool) -> Scan {
    for at in from..bytes.len() {
        match confirm(bytes, at, expect, ended) {
            Ok(true) => return Scan::Found(at),
            Ok(false) => {}
            Err(()) => return Scan::NeedMore(at),
        }
    }
    if ended || bytes.len() - from.min(bytes.len()) > RESYNC_WINDOW {
        Scan::None
    } else {
        Scan::NeedMore(bytes.len())
    }
}

/// Is there a confirmed frame at `at` (`Err`: more bytes needed to tell)?
fn confirm(bytes: &[u8], at: usize, expect: Expect, ended: bool) -> Result<bool, ()> {
    let mut position = at;
    for link in 0..CHAIN {
        let length = match header(bytes, position, link == 0, expect) {
            Ok((_, length)) => length,
            Err(more) => return if more && !ended { Err(()) } else { Ok(false) },
        };
        // A chain that runs past the window is taken on the headers seen so far (two at
        // least), so a run of large frames can still be found.
        if position as u64 + length > (at + RESYNC_WINDOW) as u64 {
            return Ok(link > 0);
        }
        if link == CHAIN - 1 {
            // The last header of the chain confirms; its payload need not be here.
            return Ok(true);
        }
        position += length as usize;
        if position == bytes.len() && ended {
            return Ok(true);
        }
        if position >= bytes.len() {
            return if ended { Ok(false) } else { Err(()) };
        }
    }
    Ok(true)
}

/// Where the next frame starts when the frame a gap cut is known: walks the frames from
/// `at` (`bytes[at..]` is a frame header) past the rest of a fragmented message
/// (`in_message`: the cut frame was not its final fragment), whose continuations a new
/// decoder could not place. `Found`: a frame that starts a message, or a control frame
/// between messages; `NeedMore`: the walk stopped at this position; `None`: a header
/// there is not plausible (the caller searches instead).
pub(crate) fn walk(
    bytes: &[u8],
    at: usize,
    in_message: &mut bool,
    expect: Expect,
    ended: bool,
) -> Scan {
    let mut position = at;
    loop {
        let b0 = match bytes.get(position) {
            Some(&b) => b,
            None if ended && position == bytes.len() => return Scan::None,
            None => return Scan::NeedMore(position),
        };
        let (fin, opcode) = (b0 & 0x80 != 0, b0 & 0x0f);
        if !*in_message && opcode != 0 {
            return match header(bytes, position, true, expect) {
                Ok(_) => Scan::Found(position),
                Err(true) if !ended => Scan::NeedMore(position),
                Err(_) => Scan::None,
            };
        }
        let length = match header(bytes, position, false, expect) {
            Ok((_, length)) if *in_message => length,
            // A continuation where no message is open: the cut frame was not what it seemed.
            Ok(_) => return Scan::None,
            Err(true) if !ended => return Scan::NeedMore(position),
            Err(_) => return Scan::None,
        };
        if opcode == 0 && fin {
            *in_message = false;
        }
        match position.checked_add(usize::try_from(length).unwrap_or(usize::MAX)) {
            Some(next) => position = next,
            None => return Scan::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: Expect = Expect {
        masked: false,
        rsv1: false,
    };
    const CLIENT: Expect = Expect {
        masked: true,
        rsv1: false,
    };

    #[test]
    fn a_frame_is_confirmed_by_the_frames_after_it() {
        let mut bytes = vec![0x6f, 0x21]; // the tail of a lost frame
        bytes.extend([0x81, 0x02, b'h', b'i', 0x82, 0x00]);
        // Two headers in a row wait for a third, unless the bytes end there.
        assert_eq!(scan(&bytes, 0, SERVER, false), Scan::NeedMore(2));
        assert_eq!(scan(&bytes, 0, SERVER, true), Scan::Found(2));
        bytes.extend([0x89, 0x00]);
        assert_eq!(scan(&bytes, 0, SERVER, false), Scan::Found(2));
    }

    #[test]
    fn a_lone_header_waits_and_ends_exactly() {
        let bytes = [0x81, 0x02, b'h', b'i'];
        assert_eq!(scan(&bytes, 0, SERVER, false), Scan::NeedMore(0));
        assert_eq!(scan(&bytes, 0, SERVER, true), Scan::Found(0));
    }

    #[test]
    fn the_mask_bit_must_agree_with_the_role() {
        let bytes = [0x81, 0x02, b'h', b'i', 0x81, 0x00];
        assert_eq!(scan(&bytes, 0, CLIENT, true), Scan::None);
        let masked = [0x81, 0x81, 1, 2, 3, 4, b'x' ^ 1, 0x88, 0x80, 0, 0, 0, 0];
        assert_eq!(scan(&masked, 0, CLIENT, true), Scan::Found(0));
    }

    #[test]
    fn a_continuation_does_not_start_and_reserved_bits_do_not_pass() {
        assert_eq!(
            scan(&[0x80, 0x01, b'x', 0x81, 0x00], 0, SERVER, true),
            Scan::Found(3)
        );
        assert_eq!(
            scan(&[0xc1, 0x00, 0x81, 0x00], 0, SERVER, true),
            Scan::Found(2)
        );
        let deflate = Expect {
            rsv1: true,
            ..SERVER
        };
        assert_eq!(
            scan(&[0xc1, 0x00, 0x81, 0x00], 0, deflate, true),
            Scan::Found(0)
        );
    }

    #[test]
    fn long_lengths_must_be_minimal() {
        let mut bytes = vec![0x82, 126, 0, 5, 1, 2, 3, 4, 5, 0x81, 0x00];
        assert_eq!(scan(&bytes, 0, SERVER, true), Scan::Found(9));
        bytes = vec![0x82, 126, 0, 200];
        bytes.extend(std::iter::repeat_n(7, 200));
        bytes.extend([0x8a, 0x00]);
        assert_eq!(scan(&bytes, 0, SERVER, true), Scan::Found(0));
    }

    #[test]
    fn nothing_plausible_is_none_at_the_end() {
        assert_eq!(scan(b"hello world", 0, SERVER, true), Scan::None);
        assert_eq!(scan(b"GET / HTTP/1.1\r\n", 0, SERVER, true), Scan::None);
    }
}

//! Counting one direction's frames as its bytes pass, without decoding them: the HTTP head
//! is skipped, then each frame header is read only for its length, and its payload skipped.
//! The listing shows these counts; the conversation model decodes the recording on demand.

/// Where the counter is in its direction's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// Inside the HTTP head: how many bytes of `\r\n\r\n` were just seen.
    Head(u8),
    /// After a response head that is not a 101: what follows is no WebSocket.
    NotWebSocket,
    /// Reading a frame header: the bytes of it seen so far.
    Header(Vec<u8>),
    /// Skipping a payload: bytes left.
    Payload(u64),
}

/// A frame counter for one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameCounter {
    place: Place,
    /// The head's first bytes, up to the status code of a response line.
    first: Vec<u8>,
    /// Frames whose header was read completely.
    pub frames: u64,
    /// Whether a fragmented data message is open (a data frame without FIN was read and
    /// its final continuation not yet).
    in_message: bool,
}

impl Default for FrameCounter {
    fn default() -> Self {
        FrameCounter {
            place: Place::Head(0),
            first: Vec::new(),
            frames: 0,
            in_message: false,
        }
    }
}

/// Bytes of `HTTP/1.1 101` (a status line up to its code).
const STATUS_END: usize = 12;

/// The length of a frame header from its first bytes, once enough of them are known.
///
/// RFC 6455 §5.2: "Payload length: 7 bits, 7+16 bits, or 7+64 bits ... If 126, the
/// following 2 bytes ... If 127, the following 8 bytes"; "Masking-key: 0 or 4 bytes".
fn header_len(header: &[u8]) -> Option<usize> {
    let second = *header.get(1)?;
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    Some(
        2 + mask
            + match second & 0x7f {
                126 => 2,
                127 => 8,
                _ => 0,
            },
    )
}

/// The payload length a complete header declares.
fn payload_len(header: &[u8]) -> u64 {
    match header[1] & 0x7f {
        126 => u64::from(u16::from_be_bytes([header[2], header[3]])),
        127 => u64::from_be_bytes(header[2..10].try_into().unwrap_or_default()),
        n => u64::from(n),
    }
}

impl FrameCounter {
    /// Reads the next bytes of the direction.
    pub fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let read = self.push_to_boundary(bytes);
            bytes = &bytes[read..];
        }
    }

    /// Whether the bytes read so far end exactly where a frame may start: after the head
    /// and after a complete frame, never inside one.
    pub fn at_boundary(&self) -> bool {
        matches!(&self.place, Place::Header(header) if header.is_empty())
    }

    /// Whether the head ended and frames follow (not after a refusal).
    pub fn framing(&self) -> bool {
        matches!(&self.place, Place::Header(_) | Place::Payload(_))
    }

    /// Whether a fragmented data message is open (RFC 6455 §5.4: only control frames may
    /// come between its frames).
    pub fn in_message(&self) -> bool {
        self.in_message
    }

    /// Reads bytes up to the next frame boundary (the end of the head or of a frame) and
    /// says how many it read: all of them when no boundary falls inside them.
    pub fn push_to_boundary(&mut self, mut bytes: &[u8]) -> usize {
        let total = bytes.len();
        let read = |rest: &[u8]| total - rest.len();
        while !bytes.is_empty() {
            match &mut self.place {
                Place::Head(seen) => {
                    // RFC 7230 §3: the head ends with an empty line, CRLF CRLF.
                    let want = b"\r\n\r\n";
                    let byte = bytes[0];
                    bytes = &bytes[1..];
                    if self.first.len() < STATUS_END {
                        self.first.push(byte);
                    }
                    *seen = if byte == want[*seen as usize] {
                        *seen + 1
                    } else if byte == b'\r' {
                        1
                    } else {
                        0
                    };
                    if *seen == 4 {
                        // RFC 6455 §4.1: "If the status code received from the server is
                        // not 101, the client handles the response per HTTP procedures";
                        // after a request head, frames follow only if the answer was 101.
                        let response = self.first.starts_with(b"HTTP/");
                        if response && !self.first.ends_with(b" 101") {
                            self.place = Place::NotWebSocket;
                        } else {
                            self.place = Place::Header(Vec::with_capacity(14));
                            return read(bytes);
                        }
                    }
                }
                Place::NotWebSocket => return total,
                Place::Header(header) => {
                    let need = header_len(header).unwrap_or(2);
                    let take = (need - header.len()).min(bytes.len());
                    header.extend_from_slice(&bytes[..take]);
                    bytes = &bytes[take..];
                    if header_len(header) == Some(header.len()) {
                        self.frames += 1;
                        // RFC 6455 §5.4: a data frame without FIN opens a fragmented
                        // message; a continuation with FIN ends it.
                        let (fin, opcode) = (header[0] & 0x80 != 0, header[0] & 0x0f);
                        match opcode {
                            0x1 | 0x2 => self.in_message = !fin,
                            0x0 if fin => self.in_message = false,
                            _ => {}
                        }
                        let left = payload_len(header);
                        if left == 0 {
                            self.place = Place::Header(Vec::with_capacity(14));
                            return read(bytes);
                        }
                        self.place = Place::Payload(left);
                    }
                }
                Place::Payload(left) => {
                    let take = (*left).min(bytes.len() as u64);
                    bytes = &bytes[take as usize..];
                    *left -= take;
                    if *left == 0 {
                        self.place = Place::Header(Vec::with_capacity(14));
                        return read(bytes);
                    }
                }
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_after_the_head_are_counted_in_any_slicing() {
        let mut all = b"HTTP/1.1 101 Switching Protocols\r\nA: b\r\n\r\n".to_vec();
        all.extend([0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
        all.extend([0x82, 0x7e, 0x01, 0x00]);
        all.extend(vec![7; 256]);
        all.extend([0x89, 0x80, 1, 2, 3, 4]);
        for size in [1, 3, 7, all.len()] {
            let mut counter = FrameCounter::default();
            for piece in all.chunks(size) {
                counter.push(piece);
            }
            assert_eq!(counter.frames, 3, "slices of {size}");
        }
    }

    #[test]
    fn boundaries_fall_after_the_head_and_after_each_frame() {
        let head = b"GET / HTTP/1.1\r\n\r\n".to_vec();
        let mut all = head.clone();
        all.extend([0x01, 0x81, 9, 9, 9, 9, b'a']); // text, no FIN: a message opens
        all.extend([0x89, 0x80, 1, 2, 3, 4]); // a ping inside it
        all.extend([0x80, 0x81, 9, 9, 9, 9, b'b']); // its final continuation
        let mut counter = FrameCounter::default();
        assert!(!counter.at_boundary());
        let mut ends = Vec::new();
        let mut open = Vec::new();
        let mut at = 0;
        while at < all.len() {
            at += counter.push_to_boundary(&all[at..]);
            assert!(counter.at_boundary());
            ends.push(at);
            open.push(counter.in_message());
        }
        let h = head.len();
        assert_eq!(ends, [h, h + 7, h + 13, h + 20]);
        assert_eq!(open, [false, true, true, false]);
        // A piece ending inside a frame is read whole and is no boundary.
        let mut counter = FrameCounter::default();
        assert_eq!(counter.push_to_boundary(&all[..h]), h);
        assert_eq!(counter.push_to_boundary(&all[h..h + 3]), 3);
        assert!(!counter.at_boundary());
    }

    #[test]
    fn a_refusal_s_body_is_no_frames() {
        let mut counter = FrameCounter::default();
        counter.push(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\n\r\n\x81\x00\x81\x00");
        assert_eq!(counter.frames, 0);
        let mut request = FrameCounter::default();
        request.push(b"GET / HTTP/1.1\r\n\r\n\x81\x80\x01\x02\x03\x04");
        assert_eq!(request.frames, 1);
    }
}

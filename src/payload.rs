//! Bytes a decode hands back (a frame's unmasked payload, a message's data) without an
//! allocation each: a range of one buffer shared by everything a push returned.
//!
//! The decoder copies the payloads of the frames a push completes into one buffer (the
//! arena), unmasking them there, and each frame and one-frame message gets a range of it.
//! Only what must be copied again is: a message of several frames, an inflated message, and
//! a frame whose payload spans pushes own their bytes.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// A shared, immutable byte slice: derefs to `[u8]`; cloning it copies no byte.
///
/// ```
/// use wsinspect::{decode, DecodeOptions};
/// let out = decode(&[0x82, 0x02, 1, 2, 0x82, 0x01, 3], DecodeOptions::default()).unwrap();
/// assert_eq!(out.frames[0].payload, [1, 2]);
/// assert_eq!(&out.frames[1].payload[..], &[3]);
/// // One push's payloads share one buffer.
/// assert!(out.frames[0].payload.shares_buffer_with(&out.frames[1].payload));
/// ```
#[derive(Clone, Default)]
pub struct Payload {
    /// `None` for an empty payload, and for a range of the arena of the push in progress
    /// (sealed before the push returns).
    buf: Option<Arc<Vec<u8>>>,
    start: usize,
    end: usize,
}

impl Payload {
    /// A payload that owns `bytes`.
    pub fn new(bytes: Vec<u8>) -> Payload {
        if bytes.is_empty() {
            return Payload::default();
        }
        let end = bytes.len();
        Payload {
            buf: Some(Arc::new(bytes)),
            start: 0,
            end,
        }
    }

    /// A range of the arena of the push in progress; [`Payload::seal`] gives it its buffer.
    pub(crate) fn pending(range: Range<usize>) -> Payload {
        Payload {
            buf: None,
            start: range.start,
            end: range.end,
        }
    }

    /// Gives a pending range its buffer, the arena of the push that made it.
    pub(crate) fn seal(&mut self, arena: &Arc<Vec<u8>>) {
        if self.buf.is_none() && self.end > self.start {
            self.buf = Some(Arc::clone(arena));
        }
    }

    /// Whether this payload is still a range of the push in progress.
    pub(crate) fn is_pending(&self) -> bool {
        self.buf.is_none() && self.end > self.start
    }

    /// How many bytes, pending or not.
    pub(crate) fn size(&self) -> usize {
        self.end - self.start
    }

    /// The range of the pending arena, while pending.
    pub(crate) fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Whether both are ranges of the same buffer (an empty payload shares none).
    pub fn shares_buffer_with(&self, other: &Payload) -> bool {
        match (&self.buf, &other.buf) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Whether both are the same range of the same buffer (so the same bytes, known
    /// without comparing them); two empty payloads are.
    pub fn is_same(&self, other: &Payload) -> bool {
        (self.size() == 0 && other.size() == 0)
            || (self.shares_buffer_with(other)
                && self.start == other.start
                && self.end == other.end)
    }

    /// The whole buffer this payload is a range of, and the range: for a binding that
    /// copies one buffer out once and hands out views of it.
    pub fn buffer(&self) -> (&[u8], Range<usize>) {
        match &self.buf {
            Some(buf) => (buf.as_slice(), self.start..self.end),
            None => (&[], 0..0),
        }
    }
}

impl Deref for Payload {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        debug_assert!(
            !self.is_pending(),
            "a payload read before its push returned"
        );
        match &self.buf {
            Some(buf) => &buf[self.start..self.end],
            None => &[],
        }
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<Vec<u8>> for Payload {
    fn from(bytes: Vec<u8>) -> Payload {
        Payload::new(bytes)
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        **self == **other
    }
}

impl Eq for Payload {}

impl PartialEq<[u8]> for Payload {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

impl PartialEq<&[u8]> for Payload {
    fn eq(&self, other: &&[u8]) -> bool {
        **self == **other
    }
}

impl PartialEq<Vec<u8>> for Payload {
    fn eq(&self, other: &Vec<u8>) -> bool {
        **self == **other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Payload {
    fn eq(&self, other: &[u8; N]) -> bool {
        **self == other[..]
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Payload {
    fn eq(&self, other: &&[u8; N]) -> bool {
        **self == other[..]
    }
}

impl PartialEq<Payload> for Vec<u8> {
    fn eq(&self, other: &Payload) -> bool {
        **self == **other
    }
}

impl PartialEq<Payload> for [u8] {
    fn eq(&self, other: &Payload) -> bool {
        *self == **other
    }
}

impl PartialEq<Payload> for &[u8] {
    fn eq(&self, other: &Payload) -> bool {
        **self == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_range_reads_its_arena_once_sealed() {
        let arena = Arc::new(vec![9, 8, 7, 6]);
        let mut p = Payload::pending(1..3);
        assert!(p.is_pending());
        p.seal(&arena);
        assert_eq!(p, [8, 7]);
        assert_eq!(p.buffer(), (&[9u8, 8, 7, 6][..], 1..3));
    }

    #[test]
    fn empty_payloads_share_no_buffer() {
        let mut empty = Payload::pending(2..2);
        empty.seal(&Arc::new(vec![1, 2, 3]));
        assert!(empty.is_empty() && !empty.shares_buffer_with(&empty.clone()));
        assert_eq!(Payload::new(Vec::new()), Payload::default());
    }

    #[test]
    fn the_same_range_of_one_buffer_is_the_same_payload_and_equal_bytes_are_not() {
        let arena = Arc::new(vec![1, 2, 1, 2]);
        let (mut a, mut b, mut c) = (
            Payload::pending(0..2),
            Payload::pending(0..2),
            Payload::pending(2..4),
        );
        for p in [&mut a, &mut b, &mut c] {
            p.seal(&arena);
        }
        assert!(a.is_same(&b) && a.is_same(&a.clone()));
        assert_eq!(a, c);
        assert!(!a.is_same(&c), "equal bytes at another range");
        assert!(
            !a.is_same(&Payload::new(vec![1, 2])),
            "equal bytes in another buffer"
        );
        assert!(Payload::default().is_same(&Payload::new(Vec::new())));
    }
}

//! Capture files: every WebSocket conversation in a .pcap or .pcapng, reassembled from
//! TCP, decoded with the conversation model.
//!
//! One file per job: [`file`] (pcap and pcapng blocks, read as a stream: packets with
//! their number, time and link type), [`link`] (a packet's link, IP and TCP headers),
//! [`tcp`] (each connection's two byte streams, in sequence-number order, with the holes
//! a capture lost reported as gaps), [`har`] (the browser's HAR export), [`pcapng_writer`]
//! (a conversation saved as a pcapng Wireshark opens) and [`driver`] (the WebSocket
//! conversations among the connections).

// The modules are added as they land: file, link, tcp, har, pcapng_writer, driver.
pub mod har;
pub mod pcapng_writer;

use std::net::IpAddr;

/// Something reading a capture skipped, assumed or found odd: for people, with the
/// packet it concerns and where that packet is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureNotice {
    /// Stable id: `"unknown-link-type"`, `"ip-fragment"`, `"overlap-conflict"`.
    pub id: CaptureNoticeId,
    /// For people, lowercase, naming what and where.
    pub message: String,
    /// The 1-based packet number it concerns, when it concerns one.
    pub packet: Option<u64>,
    /// The byte offset in the capture file, when it concerns a place in the file.
    pub offset: Option<u64>,
}

/// The kinds of [`CaptureNotice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptureNoticeId {
    /// A link type wsinspect does not read; its packets are skipped.
    UnknownLinkType,
    /// An IP fragment: skipped, never read as TCP.
    IpFragment,
    /// A packet whose headers do not parse.
    BadPacket,
    /// A packet cut short by the capture's snapshot length.
    Snaplen,
    /// Two copies of the same stream bytes that differ: the first copy is kept.
    OverlapConflict,
    /// Out-of-order bytes waiting for a hole passed the cap: the hole became a gap.
    OutOfOrderCap,
    /// A connection whose SYN is not in the capture: its streams start at the first
    /// byte seen.
    MidStream,
    /// After a gap the decoder skipped bytes and resumed at a plausible frame header.
    Resynchronised,
    /// The file ends inside a block, or a block is malformed: reading stopped there.
    Truncated,
    /// A pcapng block or option that is read past (a comment, statistics, name
    /// resolution) or one this reader does not know.
    Skipped,
    /// A comment the capture carries (a pcapng section's or a packet's).
    Comment,
    /// Anything else worth saying.
    Other,
}

impl CaptureNoticeId {
    /// The kebab-case id.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureNoticeId::UnknownLinkType => "unknown-link-type",
            CaptureNoticeId::IpFragment => "ip-fragment",
            CaptureNoticeId::BadPacket => "bad-packet",
            CaptureNoticeId::Snaplen => "snaplen",
            CaptureNoticeId::OverlapConflict => "overlap-conflict",
            CaptureNoticeId::OutOfOrderCap => "out-of-order-cap",
            CaptureNoticeId::MidStream => "mid-stream",
            CaptureNoticeId::Resynchronised => "resynchronised",
            CaptureNoticeId::Truncated => "truncated",
            CaptureNoticeId::Skipped => "skipped",
            CaptureNoticeId::Comment => "comment",
            CaptureNoticeId::Other => "other",
        }
    }
}

/// A reading error that stops the capture: what and where. Everything read before it
/// stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureError {
    /// For people, lowercase.
    pub message: String,
    /// Byte offset in the file.
    pub offset: u64,
    /// The packet being read, when one was.
    pub packet: Option<u64>,
}

/// An IP address and port.
pub type SocketAddress = (IpAddr, u16);

/// A TCP segment as the reassembler takes it: headers read, payload as captured.
#[allow(dead_code)] // Until the reader and the reassembler land.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TcpSegment<'a> {
    pub(crate) source: SocketAddress,
    pub(crate) destination: SocketAddress,
    pub(crate) seq: u32,
    pub(crate) syn: bool,
    pub(crate) ack: bool,
    pub(crate) fin: bool,
    pub(crate) rst: bool,
    /// The payload bytes the capture holds.
    pub(crate) payload: &'a [u8],
    /// Payload bytes the IP header declares past those captured (a snaplen cut): they
    /// become a gap.
    pub(crate) uncaptured: u32,
    /// 1-based packet number.
    pub(crate) packet: u64,
    /// Capture time, seconds since the Unix epoch.
    pub(crate) time: Option<f64>,
}

//! Capture files: every WebSocket conversation in a .pcap or .pcapng, reassembled from
//! TCP, decoded with the conversation model.
//!
//! One file per job: `file` (pcap and pcapng blocks, read as a stream: packets with
//! their number, time and link type), `link` (a packet's link, IP and TCP headers), `tcp`
//! (each connection's two byte streams, in sequence-number order, with the holes a
//! capture lost reported as gaps), `connections` (which connections are WebSocket
//! conversations), `driver` (all of these over one file), [`har`] (the browser's HAR
//! export, `from_har` its entries as conversations), `input` ([`CaptureDecoder`]: any
//! input at all) and [`pcapng_writer`] (a conversation saved as a pcapng Wireshark
//! opens, `headers_out` its packets' headers).

mod connections;
mod driver;
pub(crate) mod file;
mod from_har;
pub mod har;
mod headers_out;
mod input;
pub(crate) mod link;
#[cfg(not(target_arch = "wasm32"))]
mod offload;
pub mod pcapng_writer;
pub(crate) mod tcp;
pub(crate) mod tls;

pub use input::{decode_capture, CaptureDecoder};
#[doc(hidden)]
pub use link::fuzz_read_capture;
#[cfg(not(target_arch = "wasm32"))]
pub use offload::ConversationSink;
pub use pcapng_writer::write_pcapng;
#[doc(hidden)]
pub use tcp::fuzz_reassemble;
#[doc(hidden)]
pub use tls::{fuzz_key_log, fuzz_tls};

use std::net::IpAddr;

use crate::conversation::ConversationResult;
use crate::direction::{Direction, Endpoint};

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
    /// A key log line that could not be read (its line number in the message).
    KeyLog,
    /// A TLS record that does not decrypt (its authentication tag fails): its content is
    /// left out.
    TlsRecord,
    /// Bytes of a TLS stream the capture lost: the rest of that direction is not decrypted.
    TlsLost,
    /// Anything else about TLS (an alert, a hello that does not parse, a suite not
    /// decrypted).
    Tls,
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
            CaptureNoticeId::KeyLog => "keylog",
            CaptureNoticeId::TlsRecord => "tls-record",
            CaptureNoticeId::TlsLost => "tls-lost",
            CaptureNoticeId::Tls => "tls",
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

/// Which kind of input [`decode_capture`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaptureFormat {
    /// Told by the input: a pcap or pcapng magic number, a HAR's JSON, else text.
    #[default]
    Auto,
    /// A pcap file, in any of its flavours (byte orders, micro- or nanoseconds).
    Pcap,
    /// A pcapng file.
    Pcapng,
    /// Follow TCP Stream text (tshark's or Wireshark's, raw, hex dump or C arrays).
    Follow,
    /// Packet hex dumps with link, IP and TCP headers (`tshark -x`, `tcpdump -xx`).
    PacketDump,
    /// A browser's HAR export.
    Har,
    /// One direction's bytes, as they are or as text (hex, base64...).
    Stream,
}

impl CaptureFormat {
    /// The name the API uses: `"auto"`, `"pcap"`, `"pcapng"`, `"follow"`,
    /// `"packet-dump"`, `"har"`, `"stream"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureFormat::Auto => "auto",
            CaptureFormat::Pcap => "pcap",
            CaptureFormat::Pcapng => "pcapng",
            CaptureFormat::Follow => "follow",
            CaptureFormat::PacketDump => "packet-dump",
            CaptureFormat::Har => "har",
            CaptureFormat::Stream => "stream",
        }
    }

    /// The format of this name.
    pub fn from_name(name: &str) -> Option<CaptureFormat> {
        [
            CaptureFormat::Auto,
            CaptureFormat::Pcap,
            CaptureFormat::Pcapng,
            CaptureFormat::Follow,
            CaptureFormat::PacketDump,
            CaptureFormat::Har,
            CaptureFormat::Stream,
        ]
        .into_iter()
        .find(|f| f.as_str() == name)
    }
}

/// How to read a capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureOptions {
    /// What the input is; [`CaptureFormat::Auto`] tells it by its first bytes.
    pub format: CaptureFormat,
    /// Messages over this many bytes (inflated), in either direction, are a
    /// `message-too-big` violation. `None`: no limit.
    pub max_message_size: Option<u64>,
    /// Decode connections that began before the capture when both directions look like
    /// WebSocket frames (else they are named in a notice and counted).
    pub mid_stream: bool,
    /// Leave each conversation's `streams` (its bytes, for a hex view) empty: a reader
    /// that shows no bytes (the CLI) saves a copy of every byte and its memory.
    pub without_streams: bool,
    /// An NSS key log (`SSLKEYLOGFILE`'s text) whose secrets decrypt the capture's TLS
    /// connections (a pcapng's Decryption Secrets Blocks are read as well).
    pub key_log: Option<Vec<u8>>,
}

/// A hole in one direction of a conversation: bytes the capture never held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureGap {
    /// The direction with the hole.
    pub direction: Direction,
    /// Stream offset of the first missing byte (0 is the first byte after that
    /// direction's SYN: the `G` of the client's `GET`).
    pub offset: u64,
    /// How many bytes are missing.
    pub length: u64,
    /// The packet whose bytes come after the hole (1-based), when known.
    pub packet: Option<u64>,
}

/// One WebSocket conversation found in a capture.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureConversation {
    /// 0-based, in the order the conversations were found (their first packet).
    pub index: usize,
    /// The client's address and port (the side that sent the upgrade request, or
    /// without one the side that masks); `None` when the input has no addresses.
    pub client: Option<Endpoint>,
    /// The server's.
    pub server: Option<Endpoint>,
    /// Time of its first packet, seconds since the Unix epoch, when known.
    pub start: Option<f64>,
    /// Time of its last packet with data.
    pub end: Option<f64>,
    /// It began before the capture (decoded with the no-handshake rules).
    pub mid_stream: bool,
    /// Holes in its directions.
    pub gaps: Vec<CaptureGap>,
    /// Bytes captured each way (client to server, server to client).
    pub bytes: [u64; 2],
    /// For a wss:// conversation decrypted from TLS: what the TLS handshake said.
    pub tls: Option<TlsFacts>,
    /// The conversation, decoded: heads, pair checks, frames, messages, violations.
    pub result: ConversationResult,
}

/// What a TLS connection's handshake said, as far as the capture shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFacts {
    /// `"TLS 1.3"`, `"TLS 1.2"`: the version the server chose.
    pub version: Option<String>,
    /// The suite the server chose, by its IANA name (`"TLS_AES_128_GCM_SHA256"`).
    pub cipher_suite: Option<String>,
    /// The server name the client asked for (SNI).
    pub sni: Option<String>,
    /// The application protocol the server chose (ALPN).
    pub alpn: Option<String>,
    /// The client random in hex: the key log line's second field.
    pub client_random: Option<String>,
}

/// What became of a TLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsStatus {
    /// Its records were decrypted.
    Decrypted,
    /// No secret for its client random in the key logs given.
    NoKey,
    /// A cipher suite wsinspect does not decrypt.
    UnsupportedSuite,
    /// Its handshake is not in the capture (it began before, or packets were lost).
    NoHandshake,
    /// The secrets found do not decrypt it.
    Failed,
}

impl TlsStatus {
    /// `"decrypted"`, `"no-key"`, `"unsupported-suite"`, `"no-handshake"`, `"failed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsStatus::Decrypted => "decrypted",
            TlsStatus::NoKey => "no-key",
            TlsStatus::UnsupportedSuite => "unsupported-suite",
            TlsStatus::NoHandshake => "no-handshake",
            TlsStatus::Failed => "failed",
        }
    }
}

/// A TLS connection of the capture, decrypted or not.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsConnection {
    /// The client's address and port (the side that sent the ClientHello).
    pub client: Endpoint,
    /// The server's.
    pub server: Endpoint,
    /// Time of its first packet.
    pub start: Option<f64>,
    pub status: TlsStatus,
    /// For people: `"TLS, no key for client random ab12cd34…"`, `"TLS 1.3,
    /// TLS_AES_128_GCM_SHA256, decrypted"`.
    pub message: String,
    pub facts: TlsFacts,
    /// The index of the WebSocket conversation it carried, if it carried one.
    pub conversation: Option<usize>,
}

/// What reading a capture counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// Packets read.
    pub packets: u64,
    /// Of which TCP.
    pub tcp_packets: u64,
    /// Of which UDP (counted, not decoded).
    pub udp_packets: u64,
    /// Other packets (ARP, ICMP, unknown link types, fragments, unreadable headers).
    pub other_packets: u64,
    /// TCP connections seen.
    pub tcp_connections: u64,
    /// Connections that began before the capture and look like WebSocket, not decoded
    /// (without the mid-stream option).
    pub mid_stream_candidates: u64,
    /// Bytes of the input read.
    pub bytes: u64,
}

/// What a [`CaptureDecoder`] push (or end) found.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureEvent {
    /// A WebSocket conversation begins (its handshake was seen); it is reported whole
    /// when its connection closes or the capture ends.
    Found {
        /// Its index.
        index: usize,
        /// The client.
        client: Endpoint,
        /// The server.
        server: Endpoint,
        /// Time of the connection's first packet.
        start: Option<f64>,
    },
    /// A conversation, decoded.
    Conversation(Box<CaptureConversation>),
    /// A TLS connection is over (reported after its conversation, if it carried one).
    Tls(Box<TlsConnection>),
    /// Something skipped, assumed or odd.
    Notice(CaptureNotice),
}

/// A whole capture, decoded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptureResult {
    /// `"pcap"`, `"pcapng"`, `"har"`, `"follow"`, `"packet-dump"` or `"stream"`.
    pub format: String,
    /// The WebSocket conversations, by index.
    pub conversations: Vec<CaptureConversation>,
    /// Every TLS connection, in the order they ended: decrypted (with the conversation
    /// they carried) or not, and why.
    pub tls: Vec<TlsConnection>,
    /// Notices, in the order they were found.
    pub notices: Vec<CaptureNotice>,
    /// What was counted.
    pub stats: CaptureStats,
    /// The error that stopped the reading, if one did (everything before it is above).
    pub error: Option<CaptureError>,
}

impl CaptureGap {
    /// A transcript's gaps, whose offsets count the bytes present, in stream offsets
    /// (the missing bytes of the gaps before each counted too).
    pub(crate) fn from_gaps(gaps: &[crate::transcript::Gap]) -> Vec<CaptureGap> {
        let mut missing_before = [0u64; 2];
        gaps.iter()
            .map(|g| {
                let before = &mut missing_before[g.direction.index()];
                let gap = CaptureGap {
                    direction: g.direction,
                    offset: g.offset + *before,
                    length: g.missing,
                    packet: g.packet,
                };
                *before += g.missing;
                gap
            })
            .collect()
    }
}

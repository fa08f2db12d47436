//! Both directions of one TCP connection, from the text people copy out of Wireshark,
//! tshark and tcpdump: Follow TCP Stream output and packet hex dumps.
//!
//! One file per job: [`lines`] (the text's lines and where they start), [`follow`]
//! (tshark's `-qz follow` output and Wireshark's Follow TCP Stream "Hex Dump" view),
//! [`carrays`] (Follow TCP Stream's "C Arrays" view), [`packet_text`] (the hex of each
//! packet in `tshark -x`, Wireshark's "Copy as Hex Dump" and `tcpdump -xx`/`-XX`),
//! [`headers`] (link, IP and TCP headers, with etherparse) and [`streams`] (the
//! connection's two directions, in sequence-number order).

mod carrays;
mod follow;
pub(crate) mod headers;
mod lines;
mod packet_text;
mod streams;

use crate::bytes::{Located, ParseError};
use crate::direction::{Direction, Transcript};

/// Bytes a packet dump never showed: a hole in one direction's stream, between bytes
/// that were captured. The bytes after it are not glued to the bytes before it by
/// accident: the hole is reported here, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The direction with the hole.
    pub direction: Direction,
    /// Where the hole is, counted in that direction's bytes as the transcript gives
    /// them (the bytes after the hole start here).
    pub offset: u64,
    /// How many bytes the sequence numbers say are missing.
    pub missing: u64,
    /// The packet whose bytes come after the hole.
    pub packet: Option<u64>,
}

/// The forms [`parse_transcript`] reads, for the `detail` of
/// [`parse_bytes`](crate::parse_bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    TsharkFollowRaw,
    TsharkFollowHex,
    WiresharkFollowHex,
    WiresharkFollowCArrays,
    PacketDump,
}

impl Form {
    /// The `detail` of [`crate::ParsedBytes`] for this form.
    pub(crate) fn detail(self) -> &'static str {
        match self {
            Form::TsharkFollowRaw => "tshark follow raw",
            Form::TsharkFollowHex => "tshark follow hex",
            Form::WiresharkFollowHex => "wireshark follow hex dump",
            Form::WiresharkFollowCArrays => "wireshark follow c arrays",
            Form::PacketDump => "packet dump",
        }
    }
}

/// Reads both directions of a TCP connection from the text people copy out of
/// Wireshark, tshark and tcpdump.
///
/// The forms, tried in this order (each recognised by its first lines):
///
/// 1. tshark's `-qz follow,tcp,raw,N` and `-qz follow,tcp,hex,N` output: the `=====`
///    banner, `Follow:`, `Filter:`, `Node 0:` and `Node 1:` lines (node 0, the side that
///    sent first, is taken as the client), then the data, the second node's lines
///    indented by a tab. The same body without its header lines is read too, when it
///    has lines of both kinds.
/// 2. Wireshark's Follow TCP Stream "Hex Dump" view: `%08X` offsets, the server's lines
///    indented by four spaces (tshark's by a tab). Wireshark's "Raw" view shows the
///    two sides in colour only, so its copied text cannot be split and is not read here.
/// 3. Wireshark's Follow TCP Stream "C Arrays" view: `char peer0_0[] = { /* Packet 4 */`
///    (peer 0 the client, peer 1 the server), the packet number kept.
/// 4. Packet hex dumps whose bytes start with link, IP and TCP headers: `tshark -x`
///    (its extra sections such as "Reassembled TCP (N bytes):", "Unmasked data" or
///    "Decompressed payload" are skipped), Wireshark's "Copy as Hex Dump", and
///    `tcpdump -x`, `-xx`, `-X` or `-XX` (the header line's time is kept as seconds of
///    day, or as given with `-tt`). The link layer is found by trying, in this order,
///    Ethernet (with 802.1Q/802.1ad VLAN tags), Linux cooked v2, Linux cooked v1, BSD
///    null/loopback and raw IPv4/IPv6, and keeping the first under which a packet's
///    headers parse through IP and TCP with lengths that fit; every packet is then read
///    with that link layer. The first TCP connection in the dump is the one read
///    (packets of others, and packets that are not TCP, are skipped and noted); its
///    client is the side that sent the SYN, else the side whose first payload starts
///    an HTTP request (`GET `), else the side that sent first. Each direction's
///    payloads are put in sequence-number order (relative to the first sequence number
///    seen, with wrap-around), exact retransmissions dropped, holes reported as
///    [`Gap`]s. A dump in which no packet has TCP headers is not a packet dump (it is
///    left to [`parse_bytes`](crate::parse_bytes), as a plain hex dump).
///
/// Returns `Ok(None)` when the text is none of these, and an error with its place when
/// it is one of them but broken: a follow line that is neither a client nor a server
/// line, a packet whose headers do not parse (the error names the packet and the
/// header).
///
/// ```
/// use wsinspect::{parse_transcript, Direction};
///
/// let text = "\
/// ===================================================================
/// Follow: tcp,raw
/// Filter: tcp.stream eq 0
/// Node 0: 127.0.0.1:52822
/// Node 1: 127.0.0.1:8765
/// 474554
/// \t485454
/// ===================================================================
/// ";
/// let transcript = parse_transcript(text).unwrap().unwrap();
/// assert_eq!(transcript.format, "tshark follow, raw, 2 directions");
/// assert_eq!(transcript.client.unwrap().port, 52822);
/// assert_eq!(transcript.chunks[1].direction, Direction::Server);
/// assert_eq!(transcript.chunks[1].bytes, b"HTT");
/// assert_eq!(parse_transcript("81 05 48 65 6c 6c 6f").unwrap(), None);
/// ```
pub fn parse_transcript(text: &str) -> Result<Option<Transcript>, ParseError> {
    read(text)
        .map(|found| found.map(|(transcript, _)| transcript))
        .map_err(|e| e.into_parse_error(text))
}

/// [`parse_transcript`], also saying which form was read.
pub(crate) fn read(text: &str) -> Result<Option<(Transcript, Form)>, Located> {
    // Every form is recognised by its first non-blank line, found once here: finding the
    // end of a long line (a hex stream is one) is a pass over the text.
    let Some(first) = lines::first_non_blank(text) else {
        return Ok(None);
    };
    if let Some(kind) = follow::recognise(text, &first) {
        return follow::parse(text, kind).map(Some);
    }
    if carrays::recognise(&first) {
        return carrays::parse(text).map(|t| Some((t, Form::WiresharkFollowCArrays)));
    }
    if let Some(kind) = packet_text::recognise(text, &first) {
        let split = packet_text::split(text, kind);
        return Ok(streams::assemble(&split)?.map(|t| (t, Form::PacketDump)));
    }
    Ok(None)
}

/// "2 directions", "1 direction": how many sides sent bytes.
fn directions_phrase(transcript: &Transcript) -> &'static str {
    let sent = |d: Direction| transcript.chunks.iter().any(|c| c.direction == d);
    match Direction::BOTH.into_iter().filter(|&d| sent(d)).count() {
        2 => "2 directions",
        1 => "1 direction",
        _ => "no data",
    }
}

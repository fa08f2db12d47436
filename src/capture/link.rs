//! A captured packet's link, IP and TCP/UDP headers, by its interface's link type: the
//! TCP segment the reassembler takes, or what else the packet is.
//!
//! The headers are read by src/transcript/headers.rs (etherparse and the link headers it
//! lacks), laxly: a packet cut by the capture's snaplen keeps the payload it has, the rest
//! counted as uncaptured.

use super::file::RawPacket;
use super::TcpSegment;
use crate::transcript::headers::{self, Layers, Link};

/// What a packet holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkRead<'a> {
    /// A TCP segment, its packet number and time filled from the [`RawPacket`].
    Tcp(TcpSegment<'a>),
    /// A UDP datagram: counted, not decoded.
    Udp,
    /// Something else, for people: `"arp"`, `"icmp"`, `"ether type 0x88cc"`.
    Other(String),
    /// A link type wsinspect does not read: the driver names it once and skips.
    UnknownLinkType(u32),
    /// An IP fragment: skipped with a notice, never read as TCP.
    Fragment,
}

/// The link layer a LINKTYPE_* value names (the tcpdump.org link-layer header types
/// list), if wsinspect reads it.
fn link_of(link_type: u32) -> Option<Link> {
    match link_type {
        // LINKTYPE_ETHERNET.
        1 => Some(Link::Ethernet),
        // LINKTYPE_NULL: "BSD loopback encapsulation; the link layer header is a 4-byte
        // field, in host byte order"; LINKTYPE_LOOP (OpenBSD): the same in network byte
        // order. The reader takes either order.
        0 | 108 => Some(Link::Null),
        // LINKTYPE_RAW; 12 and 14 are DLT_RAW on some BSDs, written to files as is;
        // LINKTYPE_IPV4 and LINKTYPE_IPV6 ("Raw IPv4/IPv6; the packet begins with an
        // IPv4/IPv6 header").
        101 | 12 | 14 | 228 | 229 => Some(Link::RawIp),
        // LINKTYPE_LINUX_SLL and LINKTYPE_LINUX_SLL2.
        113 => Some(Link::LinuxSll),
        276 => Some(Link::LinuxSll2),
        _ => None,
    }
}

/// Reads a packet's headers. `Err` is for people: the header that does not parse (for a
/// BadPacket notice); a TCP header cut short by the capture is one.
pub(crate) fn read_packet<'a>(packet: &RawPacket<'a>) -> Result<LinkRead<'a>, String> {
    let Some(link) = link_of(packet.link_type) else {
        return Ok(LinkRead::UnknownLinkType(packet.link_type));
    };
    Ok(match headers::read_lax(link, packet.data)? {
        Layers::Tcp(segment, uncaptured) => LinkRead::Tcp(TcpSegment {
            source: segment.source,
            destination: segment.destination,
            seq: segment.seq,
            syn: segment.syn,
            ack: segment.ack,
            fin: segment.fin,
            rst: segment.rst,
            payload: segment.payload,
            uncaptured,
            packet: packet.number,
            time: packet.time,
        }),
        Layers::Udp => LinkRead::Udp,
        Layers::Fragment => LinkRead::Fragment,
        Layers::Other(what) => LinkRead::Other(what),
    })
}

/// The fuzz target's entry (fuzz/fuzz_targets/capture_reader.rs): pushes `bytes` as a
/// capture file in a few slices (sizes from the first byte), reads every packet's headers,
/// and checks what must hold: packet numbers count up from 1, offsets and the bytes read
/// stay inside the input, an error is returned again by `end`.
#[doc(hidden)]
pub fn fuzz_read_capture(bytes: &[u8]) {
    use super::file::{FileEvent, FileReader};
    let step = usize::from(bytes.first().copied().unwrap_or(1)).max(1);
    let mut reader = FileReader::new();
    let mut last_number = 0;
    let reader_format_known = bytes.len() >= 4 && super::file::sniff(bytes).is_some();
    let len = bytes.len() as u64;
    let mut sink = |event: FileEvent<'_>| match event {
        FileEvent::KeyLog { offset, .. } => assert!(offset < len, "a key log inside the input"),
        FileEvent::Packet(packet) => {
            assert!(packet.number > last_number, "packet numbers go up");
            last_number = packet.number;
            assert!(packet.offset < len, "packet offset inside the input");
            assert!(packet.data.len() <= bytes.len());
            assert!(reader_format_known, "a packet only after the file header");
            if let Ok(LinkRead::Tcp(segment)) = read_packet(&packet) {
                assert_eq!(segment.packet, packet.number);
                assert!(segment.payload.len() <= packet.data.len());
            }
        }
        FileEvent::Notice(notice) => {
            assert!(!notice.message.is_empty());
            assert!(notice.offset.is_none_or(|o| o < len));
        }
    };
    let mut result = Ok(());
    for (i, chunk) in bytes.chunks(step * 7 + 1).enumerate() {
        result = reader.push(chunk, &mut sink);
        assert!(reader.bytes_read() <= len);
        assert!(
            reader.format().is_none() || reader_format_known,
            "format by magic"
        );
        if result.is_err() && i % 2 == 0 {
            break;
        }
    }
    let ended = reader.end(&mut sink);
    if let Err(error) = &result {
        assert_eq!(ended.as_ref(), Err(error), "the same error again");
    }
    if let Err(error) = ended {
        assert!(error.offset <= len, "error offset inside the input");
        assert!(!error.message.is_empty());
    }
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;

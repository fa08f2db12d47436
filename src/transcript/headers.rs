//! A packet's link, IP and TCP headers, read with etherparse: who sent the segment,
//! to whom, its sequence number, flags and payload.
//!
//! etherparse reads Ethernet II, 802.1Q/802.1ad VLAN tags, IPv4 (with options), IPv6
//! (with extension headers) and TCP. The Linux cooked headers are read here: etherparse
//! 0.21 has no reader for v2 (20 bytes, the protocol first), and its v1 reader refuses
//! the loopback device's (ARPHRD 772), the one `tcpdump -i any` records most. BSD
//! null/loopback (a 4-byte address family in either byte order) is read here too.

use std::net::IpAddr;

use etherparse::err::{Layer, LenError};
use etherparse::{
    Ethernet2HeaderSlice, IpNumber, IpSlice, LaxIpSlice, SingleVlanHeaderSlice, TcpSlice,
};

/// The link layer in front of the IP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    Ethernet,
    LinuxSll2,
    LinuxSll,
    Null,
    RawIp,
}

impl Link {
    /// The order in which a dump's link layer is tried.
    pub(crate) const ORDER: [Link; 5] = [
        Link::Ethernet,
        Link::LinuxSll2,
        Link::LinuxSll,
        Link::Null,
        Link::RawIp,
    ];

    /// For people: `"ethernet"`, `"linux cooked v2"`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Link::Ethernet => "ethernet",
            Link::LinuxSll2 => "linux cooked v2",
            Link::LinuxSll => "linux cooked v1",
            Link::Null => "bsd null/loopback",
            Link::RawIp => "raw ip",
        }
    }
}

/// A TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment<'a> {
    pub(crate) source: (IpAddr, u16),
    pub(crate) destination: (IpAddr, u16),
    pub(crate) seq: u32,
    pub(crate) syn: bool,
    pub(crate) ack: bool,
    pub(crate) fin: bool,
    pub(crate) rst: bool,
    pub(crate) payload: &'a [u8],
}

/// What a packet holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Parsed<'a> {
    Tcp(Segment<'a>),
    /// Not TCP, and why: `"arp"`, `"udp"`, `"an ip fragment"`.
    Other(String),
}

/// Does the packet parse through IP and TCP under this link layer, with lengths that
/// fit exactly (allowing Ethernet's padding of short frames and a frame check
/// sequence)? Used to choose a dump's link layer.
pub(crate) fn fits(link: Link, bytes: &[u8]) -> bool {
    let Ok(Net::Ip(ip_at)) = strip_link(link, bytes) else {
        return false;
    };
    let Ok(ip) = IpSlice::from_slice(&bytes[ip_at..]) else {
        return false;
    };
    let ip_len = match &ip {
        IpSlice::Ipv4(v4) => usize::from(v4.header().total_len()),
        IpSlice::Ipv6(v6) => 40 + usize::from(v6.header().payload_length()),
    };
    let extra = bytes.len() - ip_at - ip_len.min(bytes.len() - ip_at);
    let extra_ok = extra == 0 || (link == Link::Ethernet && (bytes.len() <= 64 || extra == 4));
    extra_ok
        && ip.payload().ip_number == IpNumber::TCP
        && !ip.payload().fragmented
        && TcpSlice::from_slice(ip.payload().payload).is_ok()
}

/// Reads the packet's headers; an error names the header that does not parse.
pub(crate) fn parse(link: Link, bytes: &[u8]) -> Result<Parsed<'_>, String> {
    let ip_at = match strip_link(link, bytes)? {
        Net::Ip(at) => at,
        Net::Other(0x0806) => return Ok(Parsed::Other("arp".to_string())),
        Net::Other(ether_type) => {
            return Ok(Parsed::Other(format!("ether type 0x{ether_type:04x}")))
        }
    };
    let ip = IpSlice::from_slice(&bytes[ip_at..]).map_err(|e| match e {
        etherparse::err::ip::SliceError::Len(len) => len_message(&len),
        other => lowercase(&other.to_string()),
    })?;
    let payload = ip.payload();
    if payload.fragmented {
        return Ok(Parsed::Other("an ip fragment".to_string()));
    }
    if payload.ip_number != IpNumber::TCP {
        let name = match payload.ip_number.0 {
            1 => "icmp".to_string(),
            17 => "udp".to_string(),
            58 => "icmpv6".to_string(),
            n => format!("ip protocol {n}"),
        };
        return Ok(Parsed::Other(name));
    }
    let segment = tcp_segment(payload.payload, ip.source_addr(), ip.destination_addr())?;
    Ok(Parsed::Tcp(segment))
}

/// The TCP segment at the start of an IP payload, between these addresses; an error names
/// the header that does not parse.
fn tcp_segment(bytes: &[u8], source: IpAddr, destination: IpAddr) -> Result<Segment<'_>, String> {
    let tcp = TcpSlice::from_slice(bytes).map_err(|e| match e {
        etherparse::err::tcp::HeaderSliceError::Len(len) => len_message(&len),
        other => format!("tcp header: {}", lowercase(&other.to_string())),
    })?;
    Ok(Segment {
        source: (source, tcp.source_port()),
        destination: (destination, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload: tcp.payload(),
    })
}

/// What a captured packet holds, read laxly: a packet the capture cut short (its snaplen)
/// still gives the TCP segment whose header was captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layers<'a> {
    /// A TCP segment, and how many of its payload bytes the IP header declares past the
    /// captured ones.
    Tcp(Segment<'a>, u32),
    /// A UDP datagram.
    Udp,
    /// An IP fragment (never read as TCP).
    Fragment,
    /// Something else, for people: `"arp"`, `"icmp"`, `"ether type 0x88cc"`.
    Other(String),
}

/// Reads a captured packet's headers laxly: the IP header's declared length may run past
/// the captured bytes (the rest is counted as uncaptured), but the TCP header must be
/// whole. An error names the header that does not parse.
pub(crate) fn read_lax(link: Link, bytes: &[u8]) -> Result<Layers<'_>, String> {
    let ip_at = match strip_link(link, bytes)? {
        Net::Ip(at) => at,
        Net::Other(0x0806) => return Ok(Layers::Other("arp".to_string())),
        Net::Other(ether_type) => {
            return Ok(Layers::Other(format!("ether type 0x{ether_type:04x}")))
        }
    };
    let ip_bytes = &bytes[ip_at..];
    // Extension header errors stop at the last good header; the payload's protocol is
    // then that of the header that failed, which is not TCP.
    let (ip, _) = LaxIpSlice::from_slice(ip_bytes).map_err(|e| match e {
        etherparse::err::ip::LaxHeaderSliceError::Len(len) => len_message(&len),
        other => lowercase(&other.to_string()),
    })?;
    // The end of the IP packet its header declares (RFC 791 "Total Length"; RFC 8200
    // "Payload Length", 0 for a jumbogram, whose length the capture then gives).
    let declared_end = match &ip {
        LaxIpSlice::Ipv4(v4) => usize::from(v4.header().total_len()),
        LaxIpSlice::Ipv6(v6) => match v6.header().payload_length() {
            0 => ip_bytes.len(),
            n => 40 + usize::from(n),
        },
    };
    let payload = ip.payload();
    if payload.fragmented {
        return Ok(Layers::Fragment);
    }
    match payload.ip_number.0 {
        6 => {}
        17 => return Ok(Layers::Udp),
        1 => return Ok(Layers::Other("icmp".to_string())),
        58 => return Ok(Layers::Other("icmpv6".to_string())),
        n => return Ok(Layers::Other(format!("ip protocol {n}"))),
    }
    let segment = tcp_segment(payload.payload, ip.source_addr(), ip.destination_addr())?;
    let uncaptured = if payload.incomplete {
        u32::try_from(declared_end.saturating_sub(ip_bytes.len())).unwrap_or(u32::MAX)
    } else {
        0
    };
    Ok(Layers::Tcp(segment, uncaptured))
}

/// What follows the link header.
enum Net {
    /// An IPv4 or IPv6 header at this index.
    Ip(usize),
    /// Another protocol (its ether type).
    Other(u16),
}

const IPV4: u16 = 0x0800;
const IPV6: u16 = 0x86dd;

fn strip_link(link: Link, bytes: &[u8]) -> Result<Net, String> {
    let by_ether_type = |ether_type: u16, at: usize| match ether_type {
        IPV4 | IPV6 => Net::Ip(at),
        other => Net::Other(other),
    };
    match link {
        Link::Ethernet => {
            let header = Ethernet2HeaderSlice::from_slice(bytes).map_err(|e| len_message(&e))?;
            let mut ether_type = header.ether_type().0;
            let mut at = header.slice().len();
            // 802.1Q, 802.1ad and the older QinQ tag: at most a few in a row.
            for _ in 0..4 {
                if !matches!(ether_type, 0x8100 | 0x88a8 | 0x9100) {
                    break;
                }
                let vlan =
                    SingleVlanHeaderSlice::from_slice(&bytes[at..]).map_err(|e| len_message(&e))?;
                ether_type = vlan.ether_type().0;
                at += vlan.slice().len();
            }
            Ok(by_ether_type(ether_type, at))
        }
        Link::LinuxSll => {
            // Packet type (2, 0 to 4), ARPHRD type (2), address length (2, at most 8),
            // address (8), protocol (2).
            let header = bytes.get(..16).ok_or_else(|| {
                format!(
                    "linux cooked v1 header: 16 bytes needed, {} present",
                    bytes.len()
                )
            })?;
            if header[0] != 0 || header[1] > 4 || header[4] != 0 || header[5] > 8 {
                return Err(
                    "linux cooked v1 header: packet type or address length out of range"
                        .to_string(),
                );
            }
            Ok(by_ether_type(
                u16::from_be_bytes([header[14], header[15]]),
                16,
            ))
        }
        Link::LinuxSll2 => {
            // Protocol (2), reserved (2, zero), interface index (4), ARPHRD type (2),
            // packet type (1), address length (1, at most 8), address (8).
            let header = bytes.get(..20).ok_or_else(|| {
                format!(
                    "linux cooked v2 header: 20 bytes needed, {} present",
                    bytes.len()
                )
            })?;
            if header[2..4] != [0, 0] || header[11] > 8 {
                return Err(
                    "linux cooked v2 header: reserved bytes or address length wrong".to_string(),
                );
            }
            Ok(by_ether_type(
                u16::from_be_bytes([header[0], header[1]]),
                20,
            ))
        }
        Link::Null => {
            let header: [u8; 4] =
                bytes
                    .get(..4)
                    .and_then(|h| h.try_into().ok())
                    .ok_or_else(|| {
                        format!(
                            "bsd null/loopback header: 4 bytes needed, {} present",
                            bytes.len()
                        )
                    })?;
            // AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD.
            let family = match u32::from_le_bytes(header) {
                small @ 0..=255 => small,
                _ => u32::from_be_bytes(header),
            };
            match family {
                2 => Ok(Net::Ip(4)),
                24 | 28 | 30 => Ok(Net::Ip(4)),
                other => Err(format!(
                    "bsd null/loopback header: address family {other} is neither ipv4 nor ipv6"
                )),
            }
        }
        Link::RawIp => match bytes.first().map(|b| b >> 4) {
            Some(4 | 6) => Ok(Net::Ip(0)),
            Some(version) => Err(format!("ip header: version {version} is neither 4 nor 6")),
            None => Err("ip header: no bytes".to_string()),
        },
    }
}

/// `ipv4 header: 20 bytes needed, 14 present`.
fn len_message(e: &LenError) -> String {
    let layer = match e.layer {
        Layer::Ethernet2Header => "ethernet header".to_string(),
        other => lowercase(&other.to_string()),
    };
    format!(
        "{layer}: {} bytes needed, {} present",
        e.required_len, e.len
    )
}

/// etherparse's messages, in this project's lowercase and without the final stop.
fn lowercase(message: &str) -> String {
    message.trim_end_matches('.').to_lowercase()
}

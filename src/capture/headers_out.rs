//! Ethernet, IPv4/IPv6 and TCP headers for the pcapng writer: fixed layouts, written
//! field by field with the Internet checksum (RFC 1071). etherparse's packet builder does
//! the same but brings ICMP, IGMP and extension-header writers into the wasm (12 KB).

use std::net::IpAddr;

/// TCP flag bits (RFC 9293 §3.1).
pub(crate) const FIN: u8 = 0x01;
pub(crate) const SYN: u8 = 0x02;
pub(crate) const PSH: u8 = 0x08;
pub(crate) const ACK: u8 = 0x10;

/// One segment's fields.
pub(crate) struct Segment<'a> {
    pub(crate) macs: [[u8; 6]; 2],
    /// Source and destination, both IPv4 or both IPv6.
    pub(crate) addresses: [IpAddr; 2],
    pub(crate) ports: [u16; 2],
    pub(crate) seq: u32,
    pub(crate) ack: u32,
    pub(crate) flags: u8,
    pub(crate) window: u16,
    /// IPv4 Identification (RFC 791: "assigned by the sender to aid in assembling the
    /// fragments"); unused for IPv6.
    pub(crate) ip_id: u16,
    pub(crate) payload: &'a [u8],
}

/// The one's complement sum of 16-bit words (RFC 1071), not yet complemented.
fn sum(mut acc: u32, bytes: &[u8]) -> u32 {
    let mut words = bytes.chunks_exact(2);
    for w in words.by_ref() {
        acc += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        acc += u32::from(*last) << 8;
    }
    acc
}

/// RFC 1071: "the 16-bit one's complement of the one's complement sum".
fn checksum(acc: u32) -> [u8; 2] {
    let mut folded = acc;
    while folded > 0xFFFF {
        folded = (folded & 0xFFFF) + (folded >> 16);
    }
    (!(folded as u16)).to_be_bytes()
}

/// The Ethernet frame of a segment: MAC header, IP header, TCP header (20 bytes, no
/// options), payload.
pub(crate) fn frame(s: &Segment<'_>) -> Vec<u8> {
    let tcp_len = 20 + s.payload.len();
    let mut out = Vec::with_capacity(14 + 40 + tcp_len);
    out.extend_from_slice(&s.macs[1]);
    out.extend_from_slice(&s.macs[0]);
    // The pseudo-header's sum (RFC 9293 §3.1; RFC 8200 §8.1 for IPv6).
    let pseudo = match s.addresses {
        [IpAddr::V4(src), IpAddr::V4(dst)] => {
            out.extend_from_slice(&0x0800u16.to_be_bytes());
            let mut ip = [0u8; 20];
            ip[0] = 0x45; // version 4, header length 5 words
            ip[2..4].copy_from_slice(&((20 + tcp_len) as u16).to_be_bytes());
            ip[4..6].copy_from_slice(&s.ip_id.to_be_bytes());
            ip[6] = 0x40; // don't fragment
            ip[8] = 64; // time to live
            ip[9] = 6; // TCP
            ip[12..16].copy_from_slice(&src.octets());
            ip[16..20].copy_from_slice(&dst.octets());
            let header_sum = checksum(sum(0, &ip));
            ip[10..12].copy_from_slice(&header_sum);
            out.extend_from_slice(&ip);
            sum(sum(6 + tcp_len as u32, &src.octets()), &dst.octets())
        }
        [src, dst] => {
            let (src, dst) = (v6(src), v6(dst));
            out.extend_from_slice(&0x86DDu16.to_be_bytes());
            let mut ip = [0u8; 40];
            ip[0] = 0x60; // version 6
            ip[4..6].copy_from_slice(&(tcp_len as u16).to_be_bytes());
            ip[6] = 6; // next header: TCP
            ip[7] = 64; // hop limit
            ip[8..24].copy_from_slice(&src);
            ip[24..40].copy_from_slice(&dst);
            out.extend_from_slice(&ip);
            sum(sum(6 + tcp_len as u32, &src), &dst)
        }
    };
    let mut tcp = [0u8; 20];
    tcp[0..2].copy_from_slice(&s.ports[0].to_be_bytes());
    tcp[2..4].copy_from_slice(&s.ports[1].to_be_bytes());
    tcp[4..8].copy_from_slice(&s.seq.to_be_bytes());
    tcp[8..12].copy_from_slice(&s.ack.to_be_bytes());
    tcp[12] = 5 << 4; // data offset: 5 words
    tcp[13] = s.flags;
    tcp[14..16].copy_from_slice(&s.window.to_be_bytes());
    let tcp_sum = checksum(sum(sum(pseudo, &tcp), s.payload));
    tcp[16..18].copy_from_slice(&tcp_sum);
    out.extend_from_slice(&tcp);
    out.extend_from_slice(s.payload);
    out
}

/// An address as IPv6 octets (IPv4 as IPv4-mapped, RFC 4291 §2.5.5.2).
pub(crate) fn v6(address: IpAddr) -> [u8; 16] {
    match address {
        IpAddr::V6(v6) => v6.octets(),
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// etherparse, an independent implementation, reads what we write and agrees on
    /// every field and both checksums.
    #[test]
    fn etherparse_reads_the_headers_and_checks_the_sums() {
        for addresses in [
            ["10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap()],
            ["::1".parse().unwrap(), "2001:db8::2".parse().unwrap()],
        ] {
            let payload = b"GET / HTTP/1.1\r\n\r\nx";
            let s = Segment {
                macs: [[2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]],
                addresses,
                ports: [49152, 80],
                seq: 0xfffffff0,
                ack: 7,
                flags: ACK | PSH,
                window: 65535,
                ip_id: 9,
                payload,
            };
            let bytes = frame(&s);
            let p = etherparse::SlicedPacket::from_ethernet(&bytes).unwrap();
            let Some(etherparse::TransportSlice::Tcp(tcp)) = p.transport else {
                panic!("no tcp")
            };
            assert_eq!((tcp.source_port(), tcp.destination_port()), (49152, 80));
            assert_eq!(
                (tcp.sequence_number(), tcp.acknowledgment_number()),
                (0xfffffff0, 7)
            );
            assert!(tcp.ack() && tcp.psh() && !tcp.syn());
            assert_eq!(tcp.payload(), payload);
            let expected = match p.net.unwrap() {
                etherparse::NetSlice::Ipv4(v4) => {
                    assert_eq!(v4.header().identification(), 9);
                    let h = v4.header().to_header();
                    assert_eq!(h.header_checksum, h.calc_header_checksum());
                    tcp.to_header().calc_checksum_ipv4(&h, payload).unwrap()
                }
                etherparse::NetSlice::Ipv6(v6) => tcp
                    .to_header()
                    .calc_checksum_ipv6(&v6.header().to_header(), payload)
                    .unwrap(),
                _ => panic!("not ip"),
            };
            assert_eq!(tcp.checksum(), expected);
        }
    }
}

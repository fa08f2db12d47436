//! From a dump's packets to the two directions of its first TCP connection: the link
//! layer chosen, the client found, each direction's payloads put in sequence-number
//! order, exact retransmissions dropped and holes reported.

use std::net::IpAddr;

use super::headers::{self, Link, Parsed, Segment};
use super::packet_text::{Kind, Packet, Split};
use super::Gap;
use crate::bytes::Located;
use crate::direction::{ChunkMeta, DirectedChunk, Direction, Endpoint, Transcript};

type Address = (IpAddr, u16);

/// A payload of one direction, before ordering.
struct Piece<'a> {
    /// Sequence number of its first byte, relative to the direction's start.
    relative: i64,
    bytes: &'a [u8],
    meta: ChunkMeta,
}

/// The transcript of the dump's first TCP connection; `None` when no packet has link,
/// IP and TCP headers (the text is a plain hex dump, not a packet dump).
pub(crate) fn assemble(split: &Split) -> Result<Option<Transcript>, Located> {
    let Some(link) = split.packets.iter().find_map(|p| {
        Link::ORDER
            .into_iter()
            .find(|&l| headers::fits(l, &p.bytes))
    }) else {
        return Ok(None);
    };
    if let Some(error) = &split.error {
        return Err(error.clone());
    }
    let mut transcript = Transcript::default();
    let mut skipped = Skipped::default();
    let mut connection: Option<(Address, Address)> = None;
    let mut segments: Vec<(&Packet, Segment<'_>)> = Vec::new();
    for packet in &split.packets {
        let parsed = headers::parse(link, &packet.bytes).map_err(|message| {
            Located::new(
                packet.at,
                format_args!("packet {}: {message}", packet.number),
            )
        })?;
        let segment = match parsed {
            Parsed::Tcp(segment) => segment,
            Parsed::Other(what) => {
                skipped.add(format!("not tcp ({what})"), packet.number);
                continue;
            }
        };
        let (a, b) = *connection.get_or_insert((segment.source, segment.destination));
        let ours = (segment.source, segment.destination) == (a, b)
            || (segment.source, segment.destination) == (b, a);
        if !ours {
            skipped.add("of another tcp connection".to_string(), packet.number);
            continue;
        }
        segments.push((packet, segment));
    }
    let Some((a, b)) = connection else {
        return Ok(None);
    };
    let client = find_client(&segments, a, b);
    let server = if client == a { b } else { a };
    transcript.client = Some(endpoint(client));
    transcript.server = Some(endpoint(server));

    let mut per_direction: [Vec<DirectedChunk>; 2] = [Vec::new(), Vec::new()];
    for direction in Direction::BOTH {
        let sender = if direction == Direction::Client {
            client
        } else {
            server
        };
        let own: Vec<&(&Packet, Segment<'_>)> = segments
            .iter()
            .filter(|(_, s)| s.source == sender)
            .collect();
        per_direction[direction.index()] = order(direction, &own, &mut transcript);
    }
    transcript.chunks = merge(per_direction);
    transcript
        .notes
        .insert(0, format!("link layer: {}", link.name()));
    transcript.notes.extend(skipped.notes());
    let count = split.packets.len();
    transcript.format = format!(
        "{} packet dump, {count} packet{}",
        tool_name(split, link),
        if count == 1 { "" } else { "s" }
    );
    Ok(Some(transcript))
}

/// `tshark -x`, `tcpdump -XX`...
fn tool_name(split: &Split, link: Link) -> &'static str {
    let gutter = split.packets.iter().any(|p| p.gutter);
    match (split.kind, link == Link::RawIp, gutter) {
        (Kind::Columns { wireshark: false }, ..) => "tshark -x",
        (Kind::Columns { wireshark: true }, ..) => "wireshark copy as hex dump",
        (Kind::Tcpdump, true, false) => "tcpdump -x",
        (Kind::Tcpdump, true, true) => "tcpdump -X",
        (Kind::Tcpdump, false, false) => "tcpdump -xx",
        (Kind::Tcpdump, false, true) => "tcpdump -XX",
    }
}

fn endpoint((address, port): Address) -> Endpoint {
    Endpoint {
        address: address.to_string(),
        port,
    }
}

/// The side that sent the SYN; else the side whose first payload starts an HTTP
/// request; else the side that sent the first payload (or the first packet).
fn find_client(segments: &[(&Packet, Segment<'_>)], a: Address, b: Address) -> Address {
    if let Some((_, syn)) = segments.iter().find(|(_, s)| s.syn && !s.ack) {
        return syn.source;
    }
    if let Some((_, syn_ack)) = segments.iter().find(|(_, s)| s.syn && s.ack) {
        return syn_ack.destination;
    }
    let first_payload = |side: Address| {
        segments
            .iter()
            .find(|(_, s)| s.source == side && !s.payload.is_empty())
            .map(|(_, s)| s.payload)
    };
    for side in [a, b] {
        if first_payload(side).is_some_and(|p| p.starts_with(b"GET ")) {
            return side;
        }
    }
    segments
        .iter()
        .find(|(_, s)| !s.payload.is_empty())
        .map_or(a, |(_, s)| s.source)
}

/// One direction's payloads in sequence-number order, as chunks; exact (or covered)
/// retransmissions dropped, overlaps trimmed, holes reported.
fn order(
    direction: Direction,
    own: &[&(&Packet, Segment<'_>)],
    transcript: &mut Transcript,
) -> Vec<DirectedChunk> {
    // The stream starts after the SYN when there is one, else at the first seen seq.
    let syn = own.iter().find(|(_, s)| s.syn);
    let Some(base) = syn
        .map(|(_, s)| s.seq.wrapping_add(1))
        .or_else(|| own.first().map(|(_, s)| s.seq))
    else {
        return Vec::new();
    };
    let mut pieces: Vec<Piece<'_>> = own
        .iter()
        .filter(|(_, s)| !s.payload.is_empty())
        .map(|(packet, s)| {
            let first = s.seq.wrapping_add(u32::from(s.syn));
            Piece {
                // Wrap-around: a difference of up to 2^31 either way.
                relative: i64::from(first.wrapping_sub(base) as i32),
                bytes: s.payload,
                meta: ChunkMeta {
                    time: packet.time,
                    packet: Some(packet.number),
                },
            }
        })
        .collect();
    pieces.sort_by_key(|p| (p.relative, p.meta.packet));
    let mut at = match (syn, pieces.first()) {
        (Some(_), _) | (None, None) => 0,
        (None, Some(first)) => first.relative.min(0),
    };
    let mut written: u64 = 0;
    let mut chunks = Vec::new();
    for piece in pieces {
        let end = piece.relative + piece.bytes.len() as i64;
        if end <= at {
            continue; // a retransmission of bytes already placed
        }
        if piece.relative > at {
            transcript.gaps.push(Gap {
                direction,
                offset: written,
                missing: (piece.relative - at) as u64,
                packet: piece.meta.packet,
            });
            at = piece.relative;
        }
        let skip = usize::try_from(at - piece.relative).unwrap_or(0);
        if skip > 0 {
            transcript.notes.push(format!(
                "packet {}: its first {skip} bytes overlap bytes already received; dropped",
                piece.meta.packet.unwrap_or(0)
            ));
        }
        let bytes = piece.bytes.get(skip..).unwrap_or_default().to_vec();
        written += bytes.len() as u64;
        at = end;
        chunks.push(DirectedChunk {
            direction,
            bytes,
            meta: piece.meta,
        });
    }
    chunks
}

/// Both directions on one timeline, by packet number, each kept in its stream order.
fn merge([client, server]: [Vec<DirectedChunk>; 2]) -> Vec<DirectedChunk> {
    let mut out = Vec::with_capacity(client.len() + server.len());
    let mut client = client.into_iter().peekable();
    let mut server = server.into_iter().peekable();
    loop {
        let take_client = match (client.peek(), server.peek()) {
            (Some(c), Some(s)) => c.meta.packet <= s.meta.packet,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        let next = if take_client {
            client.next()
        } else {
            server.next()
        };
        out.extend(next);
    }
}

/// Packets skipped, counted by reason.
#[derive(Default)]
struct Skipped {
    reasons: Vec<(String, u64, u64)>,
}

impl Skipped {
    fn add(&mut self, reason: String, packet: u64) {
        match self.reasons.iter_mut().find(|(r, ..)| *r == reason) {
            Some((_, count, _)) => *count += 1,
            None => self.reasons.push((reason, 1, packet)),
        }
    }

    fn notes(self) -> impl Iterator<Item = String> {
        self.reasons.into_iter().map(|(reason, count, first)| {
            if count == 1 {
                format!("packet {first} skipped: {reason}")
            } else {
                format!("{count} packets skipped, the first packet {first}: {reason}")
            }
        })
    }
}

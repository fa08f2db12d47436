//! pcap and pcapng files read as a stream: the file arrives in slices of any size (the
//! wasm side gets chunks from the browser), and every packet is handed over as soon as its
//! record or block is complete. Only the unconsumed tail (at most one partial block) is
//! kept between pushes.
//!
//! pcap: draft-ietf-opsawg-pcap (a 24-byte file header, 16-byte record headers).
//! pcapng: draft-ietf-opsawg-pcapng (blocks of type, length, body, length); the block
//! bodies are read with the `pcap-parser` crate, the framing (lengths, caps, what a block
//! cut short means) here, so that a lying length is an error at its offset and never a
//! wait for bytes that will not come.

use pcap_parser::nom;
use pcap_parser::pcapng::{
    parse_enhancedpacketblock_be, parse_enhancedpacketblock_le, parse_interfacedescriptionblock_be,
    parse_interfacedescriptionblock_le, parse_sectionheaderblock, OptionCode, PcapNGOption,
};

use super::{CaptureError, CaptureNotice, CaptureNoticeId};

/// A pcapng block longer than this is refused: "reject a block length over a sane cap" so
/// a lying length never makes the reader buffer without bound.
pub(crate) const MAX_BLOCK_LEN: u32 = 64 << 20;

/// A pcap record whose captured length exceeds this is refused (Wireshark's own limit for
/// most link types is 256 KiB).
pub(crate) const MAX_RECORD_LEN: u32 = 256 << 10;

/// The two capture file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileFormat {
    /// libpcap's format (one link type, usec or nsec timestamps).
    Pcap,
    /// pcapng (sections, interfaces, blocks).
    Pcapng,
}

/// The format a file's first bytes name by their magic number, if any: pcap's
/// 0xa1b2c3d4 (usec) or 0xa1b23c4d (nsec) in either byte order, pcapng's Section Header
/// Block type 0x0a0d0d0a.
pub(crate) fn sniff(first_bytes: &[u8]) -> Option<FileFormat> {
    let magic: [u8; 4] = first_bytes.get(..4)?.try_into().ok()?;
    match magic {
        [0x0a, 0x0d, 0x0d, 0x0a] => Some(FileFormat::Pcapng),
        _ => pcap_magic(magic).map(|_| FileFormat::Pcap),
    }
}

/// A packet as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawPacket<'a> {
    /// 1-based, as Wireshark counts (every packet block or record).
    pub(crate) number: u64,
    /// Seconds since the Unix epoch, per the interface's resolution; `None` for a Simple
    /// Packet Block (it has no timestamp) or a resolution that cannot be computed.
    pub(crate) time: Option<f64>,
    /// LINKTYPE_* of the packet's interface.
    pub(crate) link_type: u32,
    /// The captured bytes.
    pub(crate) data: &'a [u8],
    /// Its length on the wire.
    pub(crate) original_len: u32,
    /// Byte offset of the packet's block or record in the file.
    pub(crate) offset: u64,
    /// The pcapng packet comment (opt_comment).
    pub(crate) comment: Option<String>,
}

/// What reading delivers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FileEvent<'a> {
    /// A packet.
    Packet(RawPacket<'a>),
    /// Something read past, odd, or a section comment.
    Notice(CaptureNotice),
    /// A Decryption Secrets Block's secrets of type TLS key log (its text).
    KeyLog {
        /// The secrets, as an NSS key log's lines.
        text: &'a [u8],
        /// Byte offset of the block in the file.
        offset: u64,
    },
}

/// A pcapng interface (Interface Description Block) as packets need it.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: u32,
    snaplen: u32,
    /// if_tsresol: "If the Most Significant Bit is equal to zero, the remaining bits
    /// indicates the resolution of the timestamp as a negative power of 10 ... If the Most
    /// Significant Bit is equal to one, ... as negative power of 2"; default 6.
    tsresol: u8,
    /// if_tsoffset: seconds added to every timestamp.
    tsoffset: i64,
}

/// Where the reader is.
#[derive(Debug)]
enum State {
    /// Nothing read yet: the magic number decides.
    Start,
    /// In a pcap file after its header.
    Pcap {
        big_endian: bool,
        nanoseconds: bool,
        link_type: u32,
        snaplen: u32,
    },
    /// In a pcapng section (a first one is read from the start).
    Pcapng {
        big_endian: bool,
        interfaces: Vec<Interface>,
    },
}

/// Reads a capture file pushed in slices.
#[derive(Debug)]
pub(crate) struct FileReader {
    /// The unconsumed tail of what was pushed: at most one partial block or record.
    tail: Vec<u8>,
    /// File offset of `tail[0]`.
    tail_offset: u64,
    state: State,
    /// Packets numbered so far.
    packets: u64,
    /// The error that stopped reading, returned again by later calls.
    error: Option<CaptureError>,
    /// pcapng block types already named in a Skipped notice.
    skipped_types: Vec<u32>,
}

impl Default for FileReader {
    fn default() -> Self {
        FileReader::new()
    }
}

/// What one step over the unconsumed bytes did.
enum Step {
    /// This many bytes were consumed.
    Consumed(usize),
    /// The next block or record is not complete yet.
    NeedMore,
}

impl FileReader {
    /// A reader at the start of a file.
    pub(crate) fn new() -> FileReader {
        FileReader {
            tail: Vec::new(),
            tail_offset: 0,
            state: State::Start,
            packets: 0,
            error: None,
            skipped_types: Vec::new(),
        }
    }

    /// Takes the next slice of the file; calls `sink` for every packet and notice it
    /// completes. An error stops the reading (everything before it was delivered); later
    /// pushes return the same error.
    pub(crate) fn push(
        &mut self,
        chunk: &[u8],
        sink: &mut dyn FnMut(FileEvent<'_>),
    ) -> Result<(), CaptureError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if self.tail.is_empty() {
            // Read straight from the chunk; keep only what is left of it.
            let consumed = self.read_all(chunk, sink);
            self.tail.extend_from_slice(&chunk[consumed..]);
            self.tail_offset += consumed as u64;
        } else {
            let mut bytes = std::mem::take(&mut self.tail);
            bytes.extend_from_slice(chunk);
            let consumed = self.read_all(&bytes, sink);
            bytes.drain(..consumed);
            self.tail = bytes;
            self.tail_offset += consumed as u64;
        }
        match &self.error {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// End of file: a block cut short is an error (offset of that block, the packet number
    /// it would have had).
    pub(crate) fn end(&mut self, _sink: &mut dyn FnMut(FileEvent<'_>)) -> Result<(), CaptureError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        let error = match (&self.state, self.tail.is_empty()) {
            (State::Start, _) => Some(CaptureError {
                message: format!(
                    "the file ends after {} bytes, before a pcap or pcapng header",
                    self.tail.len()
                ),
                offset: 0,
                packet: None,
            }),
            (_, true) => None,
            (_, false) => Some(self.cut_short()),
        };
        match error {
            Some(error) => {
                self.error = Some(error.clone());
                Err(error)
            }
            None => Ok(()),
        }
    }

    /// The format, once the magic number was read.
    pub(crate) fn format(&self) -> Option<FileFormat> {
        match self.state {
            State::Start => None,
            State::Pcap { .. } => Some(FileFormat::Pcap),
            State::Pcapng { .. } => Some(FileFormat::Pcapng),
        }
    }

    /// Bytes consumed so far, for a progress bar.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.tail_offset
    }

    /// The error for a file that ends inside the block or record in `tail`.
    fn cut_short(&self) -> CaptureError {
        let (what, total, is_packet) = match &self.state {
            State::Pcap { big_endian, .. } => (
                "pcap record",
                self.tail
                    .get(8..12)
                    .map(|b| 16 + u64::from(read_u32(b, *big_endian))),
                true,
            ),
            State::Pcapng { big_endian, .. } => {
                let kind = self.tail.get(..4).map(|b| read_u32(b, *big_endian));
                let len = self.tail.get(4..8).map(|b| {
                    // A Section Header Block's length is in its own byte order.
                    let big = if kind == Some(SHB) {
                        self.tail.get(8..12) == Some(&[0x1a, 0x2b, 0x3c, 0x4d][..])
                    } else {
                        *big_endian
                    };
                    u64::from(read_u32(b, big))
                });
                (
                    "pcapng block",
                    len,
                    matches!(kind, Some(EPB | SPB | PB) | None),
                )
            }
            State::Start => ("header", None, false),
        };
        let have = self.tail.len();
        let message = match total {
            Some(total) => format!(
                "the file ends inside a {what} at byte {}: {have} of its {total} bytes present",
                self.tail_offset
            ),
            None => format!(
                "the file ends inside a {what} header at byte {}: {have} bytes present",
                self.tail_offset
            ),
        };
        CaptureError {
            message,
            offset: self.tail_offset,
            packet: is_packet.then_some(self.packets + 1),
        }
    }

    /// Reads every complete block or record in `bytes` (which starts at `tail_offset`);
    /// returns how many bytes were consumed. Sets `error` on an error.
    fn read_all(&mut self, bytes: &[u8], sink: &mut dyn FnMut(FileEvent<'_>)) -> usize {
        let mut at = 0;
        while at < bytes.len() {
            let offset = self.tail_offset + at as u64;
            match self.step(&bytes[at..], offset, sink) {
                Ok(Step::Consumed(n)) => at += n,
                Ok(Step::NeedMore) => break,
                Err(error) => {
                    self.error = Some(error);
                    break;
                }
            }
        }
        at
    }

    /// Reads the file header, record or block at the start of `bytes`.
    fn step(
        &mut self,
        bytes: &[u8],
        offset: u64,
        sink: &mut dyn FnMut(FileEvent<'_>),
    ) -> Result<Step, CaptureError> {
        match &self.state {
            State::Start => self.read_file_header(bytes, sink),
            State::Pcap { .. } => self.read_pcap_record(bytes, offset, sink),
            State::Pcapng { .. } => self.read_pcapng_block(bytes, offset, sink),
        }
    }

    /// The magic number, then pcap's 24-byte header or pcapng's first block.
    fn read_file_header(
        &mut self,
        bytes: &[u8],
        sink: &mut dyn FnMut(FileEvent<'_>),
    ) -> Result<Step, CaptureError> {
        let Some(magic) = bytes.get(..4) else {
            return Ok(Step::NeedMore);
        };
        match sniff(magic) {
            Some(FileFormat::Pcapng) => {
                self.state = State::Pcapng {
                    big_endian: false,
                    interfaces: Vec::new(),
                };
                self.read_pcapng_block(bytes, 0, sink)
            }
            Some(FileFormat::Pcap) => {
                // "Magic Number (32 bits) ... Major Version (16 bits) ... Minor Version
                // (16 bits) ... Reserved1 (32 bits) ... Reserved2 (32 bits) ... SnapLen
                // (32 bits) ... LinkType and additional information (32 bits)".
                let Some(header) = bytes.get(..24) else {
                    return Ok(Step::NeedMore);
                };
                let (big_endian, nanoseconds) =
                    pcap_magic(magic.try_into().unwrap_or_default()).unwrap_or_default();
                let major = read_u16(&header[4..6], big_endian);
                if major != 2 {
                    return Err(CaptureError {
                        message: format!("pcap version {major} is not 2, at byte 4"),
                        offset: 4,
                        packet: None,
                    });
                }
                // "LinkType: a 16-bit unsigned value that defines the link layer type of
                // packets in the file" (the upper bits are the FCS length and reserved).
                let link_type = read_u32(&header[20..24], big_endian) & 0xffff;
                self.state = State::Pcap {
                    big_endian,
                    nanoseconds,
                    link_type,
                    snaplen: read_u32(&header[16..20], big_endian),
                };
                Ok(Step::Consumed(24))
            }
            None => Err(CaptureError {
                message: format!(
                    "not a pcap or pcapng file: magic number {:02x}{:02x}{:02x}{:02x} at byte 0",
                    magic[0], magic[1], magic[2], magic[3]
                ),
                offset: 0,
                packet: None,
            }),
        }
    }

    /// A pcap record: "Timestamp (Seconds) ... Timestamp (Microseconds or nanoseconds)
    /// ... Captured Packet Length ... Original Packet Length ... Packet Data".
    fn read_pcap_record(
        &mut self,
        bytes: &[u8],
        offset: u64,
        sink: &mut dyn FnMut(FileEvent<'_>),
    ) -> Result<Step, CaptureError> {
        let State::Pcap {
            big_endian,
            nanoseconds,
            link_type,
            snaplen,
        } = self.state
        else {
            return Ok(Step::NeedMore);
        };
        let Some(header) = bytes.get(..16) else {
            return Ok(Step::NeedMore);
        };
        let seconds = read_u32(&header[0..4], big_endian);
        let fraction = read_u32(&header[4..8], big_endian);
        let captured = read_u32(&header[8..12], big_endian);
        let original_len = read_u32(&header[12..16], big_endian);
        let number = self.packets + 1;
        // "Captured Packet Length ... will never be larger than SnapLen"; a snaplen of 0
        // (some writers) means none was set.
        if captured > MAX_RECORD_LEN || (snaplen != 0 && captured > snaplen) {
            return Err(CaptureError {
                message: format!(
                    "packet {number} at byte {offset}: captured length {captured} is over the \
                     file's snaplen {snaplen} or the {MAX_RECORD_LEN}-byte cap"
                ),
                offset,
                packet: Some(number),
            });
        }
        let Some(data) = bytes.get(16..16 + captured as usize) else {
            return Ok(Step::NeedMore);
        };
        self.packets = number;
        let divisor = if nanoseconds { 1e9 } else { 1e6 };
        sink(FileEvent::Packet(RawPacket {
            number,
            time: Some(f64::from(seconds) + f64::from(fraction) / divisor),
            link_type,
            data,
            original_len,
            offset,
            comment: None,
        }));
        Ok(Step::Consumed(16 + captured as usize))
    }

    /// A pcapng block: "Block Type (32 bits) ... Block Total Length (32 bits) ... Block
    /// Body ... Block Total Length", framed and checked here, its body read by type.
    fn read_pcapng_block(
        &mut self,
        bytes: &[u8],
        offset: u64,
        sink: &mut dyn FnMut(FileEvent<'_>),
    ) -> Result<Step, CaptureError> {
        let State::Pcapng { big_endian, .. } = self.state else {
            return Ok(Step::NeedMore);
        };
        let Some(head) = bytes.get(..12) else {
            return Ok(Step::NeedMore);
        };
        let kind_le = read_u32(&head[0..4], false);
        let is_shb = kind_le == SHB;
        // A Section Header Block's length is in the byte order its Byte-Order Magic gives.
        let big_endian = if is_shb {
            match read_u32(&head[8..12], true) {
                BYTE_ORDER_MAGIC => true,
                m if m.swap_bytes() == BYTE_ORDER_MAGIC => false,
                _ => {
                    return Err(CaptureError {
                        message: format!(
                            "section header block at byte {offset}: byte-order magic \
                             0x{:08x} is not 0x1a2b3c4d in either byte order",
                            read_u32(&head[8..12], true)
                        ),
                        offset,
                        packet: None,
                    })
                }
            }
        } else {
            big_endian
        };
        let kind = read_u32(&head[0..4], big_endian);
        let len = read_u32(&head[4..8], big_endian);
        let is_packet = matches!(kind, EPB | SPB | PB);
        let packet = is_packet.then_some(self.packets + 1);
        let fail = |message: String| CaptureError {
            message,
            offset,
            packet,
        };
        let name = block_name(kind);
        // "Block Total Length: total size of this block, in octets ... it MUST be a
        // multiple of 4."
        if len % 4 != 0 {
            return Err(fail(format!(
                "{name} at byte {offset}: its length {len} is not a multiple of 4"
            )));
        }
        let minimum = minimum_len(kind);
        if len < minimum {
            return Err(fail(format!(
                "{name} at byte {offset}: its length {len} is under the {minimum} bytes it needs"
            )));
        }
        if len > MAX_BLOCK_LEN {
            return Err(fail(format!(
                "{name} at byte {offset}: its length {len} is over the {MAX_BLOCK_LEN}-byte cap"
            )));
        }
        let Some(block) = bytes.get(..len as usize) else {
            return Ok(Step::NeedMore);
        };
        let trailing = read_u32(&block[block.len() - 4..], big_endian);
        if trailing != len {
            return Err(fail(format!(
                "{name} at byte {offset}: its trailing length {trailing} is not its leading \
                 length {len}"
            )));
        }
        match kind {
            SHB => self.read_section_header(block, offset, sink)?,
            IDB => self.read_interface(block, offset, big_endian)?,
            EPB | SPB | PB => self.read_packet_block(kind, block, offset, big_endian, sink)?,
            DSB => read_secrets(block, offset, big_endian, sink),
            _ => {
                if !self.skipped_types.contains(&kind) {
                    self.skipped_types.push(kind);
                    sink(FileEvent::Notice(CaptureNotice {
                        id: CaptureNoticeId::Skipped,
                        message: format!("{name} at byte {offset} skipped (and any like it)"),
                        packet: None,
                        offset: Some(offset),
                    }));
                }
            }
        }
        Ok(Step::Consumed(len as usize))
    }

    /// A Section Header Block: a new section, its byte order, no interfaces yet ("the
    /// Interface Description Blocks ... are valid only inside the section"), its comment.
    fn read_section_header(
        &mut self,
        block: &[u8],
        offset: u64,
        sink: &mut dyn FnMut(FileEvent<'_>),
    ) -> Result<(), CaptureError> {
        let shb = match parse_sectionheaderblock(block) {
            Ok((_, shb)) => shb,
            Err(_) => {
                return Err(CaptureError {
                    message: format!("section header block at byte {offset} does not parse"),
                    offset,
                    packet: None,
                })
            }
        };
        // "Major Version ... 1. ... readers ... MUST NOT attempt to read sections whose
        // major version they do not know."
        if shb.major_version != 1 {
            return Err(CaptureError {
                message: format!(
                    "section header block at byte {offset}: pcapng version {}.{} is not 1.x",
                    shb.major_version, shb.minor_version
                ),
                offset,
                packet: None,
            });
        }
        for text in comments(&shb.options) {
            sink(FileEvent::Notice(CaptureNotice {
                id: CaptureNoticeId::Comment,
                message: format!("section comment at byte {offset}: {text}"),
                packet: None,
                offset: Some(offset),
            }));
        }
        self.state = State::Pcapng {
            big_endian: shb.big_endian(),
            interfaces: Vec::new(),
        };
        Ok(())
    }

    /// An Interface Description Block: its link type, snaplen, if_tsresol, if_tsoffset.
    fn read_interface(
        &mut self,
        block: &[u8],
        offset: u64,
        big_endian: bool,
    ) -> Result<(), CaptureError> {
        let parsed = if big_endian {
            parse_interfacedescriptionblock_be(block)
        } else {
            parse_interfacedescriptionblock_le(block)
        };
        let idb = match parsed {
            Ok((_, idb)) => idb,
            Err(_) => {
                return Err(CaptureError {
                    message: format!("interface description block at byte {offset} does not parse"),
                    offset,
                    packet: None,
                })
            }
        };
        // if_tsresol (code 9, 1 byte) and if_tsoffset (code 14, a signed 64-bit integer in
        // the section's byte order). Read here: pcap-parser 0.17 reads if_tsoffset as
        // little-endian in a big-endian section too.
        let mut tsresol = 6;
        let mut tsoffset = 0;
        for option in &idb.options {
            let value = option.value();
            match (option.code, value.get(..8)) {
                (OptionCode::IfTsresol, _) if option.len == 1 && !value.is_empty() => {
                    tsresol = value[0]
                }
                (OptionCode::IfTsoffset, Some(v)) if option.len == 8 => {
                    let bytes = [v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]];
                    tsoffset = if big_endian {
                        i64::from_be_bytes(bytes)
                    } else {
                        i64::from_le_bytes(bytes)
                    };
                }
                _ => {}
            }
        }
        if let State::Pcapng { interfaces, .. } = &mut self.state {
            interfaces.push(Interface {
                link_type: u32::from(idb.linktype.0 as u16),
                snaplen: idb.snaplen,
                tsresol,
                tsoffset,
            });
        }
        Ok(())
    }

    /// An Enhanced, Simple or obsolete Packet block: the packet, on its interface.
    fn read_packet_block(
        &mut self,
        kind: u32,
        block: &[u8],
        offset: u64,
        big_endian: bool,
        sink: &mut dyn FnMut(FileEvent<'_>),
    ) -> Result<(), CaptureError> {
        let number = self.packets + 1;
        self.packets = number;
        let name = block_name(kind);
        let too_long = |captured: u32| CaptureError {
            message: format!(
                "packet {number} at byte {offset}: its captured length {captured} runs past \
                 its {name} of {} bytes",
                block.len()
            ),
            offset,
            packet: Some(number),
        };
        let (interface_id, ticks, data, original_len, comment) = match kind {
            EPB => {
                // "Captured Packet Length ... Original Packet Length ... Packet Data ...
                // padded to 32 bits".
                let captured = read_u32(&block[20..24], big_endian);
                let parsed = if big_endian {
                    parse_enhancedpacketblock_be(block)
                } else {
                    parse_enhancedpacketblock_le(block)
                };
                let epb = match parsed {
                    Ok((_, epb)) => epb,
                    Err(nom::Err::Incomplete(_)) => return Err(too_long(captured)),
                    Err(_) if 32 + u64::from(captured) > block.len() as u64 => {
                        return Err(too_long(captured))
                    }
                    Err(_) => {
                        return Err(CaptureError {
                            message: format!(
                                "packet {number} at byte {offset}: its enhanced packet block's \
                                 options do not parse"
                            ),
                            offset,
                            packet: Some(number),
                        })
                    }
                };
                let data = epb.data.get(..captured as usize).unwrap_or(epb.data);
                let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                let comment = comments(&epb.options).next();
                (epb.if_id, Some(ticks), data, epb.origlen, comment)
            }
            SPB => {
                // "Original Packet Length ... Packet Data: ... the minimum value among the
                // Original Packet Length and the value of the SnapLen field ... of the
                // Interface Description Block" (the section's first interface).
                let original_len = read_u32(&block[8..12], big_endian);
                let room = &block[12..block.len() - 4];
                let mut captured = (original_len as usize).min(room.len());
                if let State::Pcapng { interfaces, .. } = &self.state {
                    if let Some(snaplen) = interfaces.first().map(|i| i.snaplen as usize) {
                        if snaplen != 0 {
                            captured = captured.min(snaplen);
                        }
                    }
                }
                (0, None, &room[..captured], original_len, None)
            }
            _ => {
                // The obsolete Packet Block (draft appendix A): "Interface ID (16 bits),
                // Drops Count (16 bits), Timestamp (High), Timestamp (Low), Captured Len,
                // Packet Len, Packet Data, Options".
                let interface_id = u32::from(read_u16(&block[8..10], big_endian));
                let ticks = (u64::from(read_u32(&block[12..16], big_endian)) << 32)
                    | u64::from(read_u32(&block[16..20], big_endian));
                let captured = read_u32(&block[20..24], big_endian);
                let original_len = read_u32(&block[24..28], big_endian);
                let body_end = block.len() - 4;
                let padded = (captured as usize).checked_add(3).map(|n| n & !3);
                let Some(data_end) = padded.map(|p| 28 + p).filter(|&end| end <= body_end) else {
                    return Err(too_long(captured));
                };
                let data = &block[28..28 + captured as usize];
                let comment = raw_comments(&block[data_end..body_end], big_endian);
                (interface_id, Some(ticks), data, original_len, comment)
            }
        };
        let State::Pcapng { interfaces, .. } = &self.state else {
            return Ok(());
        };
        let Some(interface) = interfaces.get(interface_id as usize).copied() else {
            sink(FileEvent::Notice(CaptureNotice {
                id: CaptureNoticeId::BadPacket,
                message: format!(
                    "packet {number} at byte {offset}: interface {interface_id} is not described \
                     in its section ({} interfaces); packet skipped",
                    interfaces.len()
                ),
                packet: Some(number),
                offset: Some(offset),
            }));
            return Ok(());
        };
        sink(FileEvent::Packet(RawPacket {
            number,
            time: ticks.and_then(|t| seconds(t, interface.tsresol, interface.tsoffset)),
            link_type: interface.link_type,
            data,
            original_len,
            offset,
            comment,
        }));
        Ok(())
    }
}

/// Section Header Block type ("0x0A0D0D0A", a palindrome: either byte order).
const SHB: u32 = 0x0a0d_0d0a;
/// Interface Description Block type.
const IDB: u32 = 1;
/// Obsolete Packet Block type.
const PB: u32 = 2;
/// Simple Packet Block type.
const SPB: u32 = 3;
/// Enhanced Packet Block type.
const EPB: u32 = 6;
/// Decryption Secrets Block (pcapng draft §4.7), and its secrets type for a TLS key log.
const DSB: u32 = 0x0000_000a;
const TLS_KEY_LOG: u32 = 0x544c_534b;
/// "Byte-Order Magic (32 bits): an unsigned magic number, whose value is the hexadecimal
/// number 0x1A2B3C4D."
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;

/// pcap's magic, read as written: `(big_endian, nanoseconds)`.
fn pcap_magic(magic: [u8; 4]) -> Option<(bool, bool)> {
    match u32::from_le_bytes(magic) {
        0xa1b2_c3d4 => Some((false, false)),
        0xa1b2_3c4d => Some((false, true)),
        m if m.swap_bytes() == 0xa1b2_c3d4 => Some((true, false)),
        m if m.swap_bytes() == 0xa1b2_3c4d => Some((true, true)),
        _ => None,
    }
}

/// The smallest length a block of this type can have (header 8 + fixed fields + trailing
/// length 4).
fn minimum_len(kind: u32) -> u32 {
    match kind {
        SHB => 28,
        IDB => 20,
        EPB | PB => 32,
        DSB => 20,
        SPB => 16,
        _ => 12,
    }
}

/// A Decryption Secrets Block: "Secrets Type (32 bits) ... Secrets Length (32 bits) ...
/// Secrets Data", then options. A TLS key log's text goes to the driver; other secrets
/// (WireGuard, ZigBee...) are said to be skipped.
fn read_secrets(block: &[u8], offset: u64, big_endian: bool, sink: &mut dyn FnMut(FileEvent<'_>)) {
    let body = &block[8..block.len() - 4];
    let kind = read_u32(&body[0..4], big_endian);
    let len = read_u32(&body[4..8], big_endian) as usize;
    let Some(data) = body.get(8..).and_then(|rest| rest.get(..len)) else {
        sink(FileEvent::Notice(CaptureNotice {
            id: CaptureNoticeId::Skipped,
            message: format!(
                "decryption secrets block at byte {offset}: its secrets length {len} runs past the block"
            ),
            packet: None,
            offset: Some(offset),
        }));
        return;
    };
    if kind == TLS_KEY_LOG {
        sink(FileEvent::KeyLog { text: data, offset });
    } else {
        sink(FileEvent::Notice(CaptureNotice {
            id: CaptureNoticeId::Skipped,
            message: format!(
                "decryption secrets block at byte {offset}: secrets of type 0x{kind:08x} (not a tls key log) skipped"
            ),
            packet: None,
            offset: Some(offset),
        }));
    }
}

/// For people: `"enhanced packet block"`, `"pcapng block type 0x00000005"`.
fn block_name(kind: u32) -> String {
    match kind {
        SHB => "section header block".to_string(),
        IDB => "interface description block".to_string(),
        PB => "packet block".to_string(),
        SPB => "simple packet block".to_string(),
        4 => "name resolution block".to_string(),
        5 => "interface statistics block".to_string(),
        EPB => "enhanced packet block".to_string(),
        DSB => "decryption secrets block".to_string(),
        other => format!("pcapng block type 0x{other:08x}"),
    }
}

/// The opt_comment options' texts (code 1), lossily decoded.
fn comments<'a>(options: &'a [PcapNGOption<'_>]) -> impl Iterator<Item = String> + 'a {
    options
        .iter()
        .filter(|o| o.code == OptionCode::Comment)
        .map(|o| {
            let value = o.value();
            let len = usize::from(o.len).min(value.len());
            String::from_utf8_lossy(&value[..len]).into_owned()
        })
}

/// The first opt_comment in a raw options area: "Option Code (16 bits), Option Length (16
/// bits), Option Value (variable length, padded to 32 bits)", ended by opt_endofopt (0).
fn raw_comments(mut options: &[u8], big_endian: bool) -> Option<String> {
    while options.len() >= 4 {
        let code = read_u16(&options[0..2], big_endian);
        let len = usize::from(read_u16(&options[2..4], big_endian));
        let value = options.get(4..4 + len)?;
        if code == 0 {
            return None;
        }
        if code == 1 {
            return Some(String::from_utf8_lossy(value).into_owned());
        }
        options = options.get(4 + ((len + 3) & !3)..)?;
    }
    None
}

/// A pcapng timestamp in seconds since the epoch: ticks of 10^-n or 2^-n seconds
/// (if_tsresol), plus if_tsoffset seconds. `None` for a resolution finer than 10^-19 or
/// 2^-63, which no u64 holds.
fn seconds(ticks: u64, tsresol: u8, tsoffset: i64) -> Option<f64> {
    let exponent = u32::from(tsresol & 0x7f);
    let per_second: u64 = if tsresol & 0x80 == 0 {
        10u64.checked_pow(exponent)?
    } else {
        1u64.checked_shl(exponent)?
    };
    let whole = ticks / per_second;
    let fraction = (ticks % per_second) as f64 / per_second as f64;
    Some(whole as f64 + tsoffset as f64 + fraction)
}

/// A u16 in the given byte order (`bytes` has at least 2).
fn read_u16(bytes: &[u8], big_endian: bool) -> u16 {
    let b = [bytes[0], bytes[1]];
    if big_endian {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    }
}

/// A u32 in the given byte order (`bytes` has at least 4).
fn read_u32(bytes: &[u8], big_endian: bool) -> u32 {
    let b = [bytes[0], bytes[1], bytes[2], bytes[3]];
    if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;

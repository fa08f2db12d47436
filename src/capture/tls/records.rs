//! One direction's TLS records, framed from its reassembled TCP bytes as they come: each
//! record with the packet that completed it.

use crate::direction::ChunkMeta;

/// RFC 5246 §6.2.3: "The length (in bytes) of the following TLSCiphertext.fragment. The
/// length MUST NOT exceed 2^14 + 2048." (TLS 1.3 allows 2^14 + 256, less.)
pub(crate) const MAX_RECORD: usize = (1 << 14) + 2048;

/// The record content types (RFC 8446 §5.1).
pub(crate) const CHANGE_CIPHER_SPEC: u8 = 20;
pub(crate) const ALERT: u8 = 21;
pub(crate) const HANDSHAKE: u8 = 22;
pub(crate) const APPLICATION_DATA: u8 = 23;
const HEARTBEAT: u8 = 24;

/// One record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub(crate) header: [u8; 5],
    pub(crate) body: Vec<u8>,
    /// The packet (and its time) that brought the record's last byte.
    pub(crate) meta: ChunkMeta,
    /// The stream offset of its header.
    pub(crate) offset: u64,
}

impl Record {
    pub(crate) fn content_type(&self) -> u8 {
        self.header[0]
    }
}

/// Whether five bytes can be a record header: a known content type, major version 3, a
/// length within the limit.
pub(crate) fn is_header(bytes: &[u8]) -> bool {
    bytes.len() >= 5
        && (CHANGE_CIPHER_SPEC..=HEARTBEAT).contains(&bytes[0])
        && bytes[1] == 3
        && bytes[2] <= 4
        && usize::from(u16::from_be_bytes([bytes[3], bytes[4]])) <= MAX_RECORD
}

/// Frames one direction's records.
#[derive(Debug, Default)]
pub(crate) struct RecordReader {
    /// The header of the record being read, as far as it came.
    header: [u8; 5],
    have: usize,
    /// Its body so far (moved out whole when complete).
    body: Vec<u8>,
    /// Stream offset of the record's header.
    offset: u64,
}

impl RecordReader {
    /// Takes the direction's next bytes; the records they complete go to `out`. An error
    /// (bytes that are not a record header) says what and at which stream offset; the
    /// reader is then out of step and takes nothing more.
    pub(crate) fn push(
        &mut self,
        mut bytes: &[u8],
        meta: ChunkMeta,
        out: &mut Vec<Record>,
    ) -> Result<(), String> {
        while !bytes.is_empty() {
            if self.have < 5 {
                let take = (5 - self.have).min(bytes.len());
                self.header[self.have..self.have + take].copy_from_slice(&bytes[..take]);
                self.have += take;
                bytes = &bytes[take..];
                if self.have < 5 {
                    return Ok(());
                }
                if !is_header(&self.header) {
                    let header = crate::bytes::hex::to_hex(&self.header);
                    return Err(format!(
                        "bytes {header} at stream offset {} are not a tls record header",
                        self.offset
                    ));
                }
            }
            let length = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
            let missing = length - self.body.len();
            let take = missing.min(bytes.len());
            self.body.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if take == missing {
                out.push(Record {
                    header: self.header,
                    body: std::mem::take(&mut self.body),
                    meta,
                    offset: self.offset,
                });
                self.have = 0;
                self.offset += 5 + length as u64;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_framed_across_any_split() {
        let mut stream = vec![22, 3, 1, 0, 3, 1, 2, 3];
        stream.extend_from_slice(&[23, 3, 3, 0, 0]);
        stream.extend_from_slice(&[23, 3, 3, 0, 2, 9, 9]);
        for split in 0..=stream.len() {
            let mut reader = RecordReader::default();
            let mut out = Vec::new();
            let meta = |p| ChunkMeta {
                time: None,
                packet: Some(p),
            };
            reader.push(&stream[..split], meta(1), &mut out).unwrap();
            reader.push(&stream[split..], meta(2), &mut out).unwrap();
            let bodies: Vec<&[u8]> = out.iter().map(|r| r.body.as_slice()).collect();
            assert_eq!(bodies, vec![&[1, 2, 3][..], &[], &[9, 9]], "split {split}");
            let offsets: Vec<u64> = out.iter().map(|r| r.offset).collect();
            assert_eq!(offsets, vec![0, 8, 13]);
            assert!(reader.have == 0 && reader.body.is_empty());
        }
    }

    #[test]
    fn a_bad_header_is_an_error_with_its_offset() {
        let mut reader = RecordReader::default();
        let mut out = Vec::new();
        reader
            .push(&[22, 3, 1, 0, 1, 0], ChunkMeta::default(), &mut out)
            .unwrap();
        let e = reader
            .push(b"GET / HTTP/1.1", ChunkMeta::default(), &mut out)
            .unwrap_err();
        assert!(e.contains("offset 6"), "{e}");
        // A length over 2^14 + 2048 is not a record.
        let mut reader = RecordReader::default();
        assert!(reader
            .push(&[23, 3, 3, 0x48, 1], ChunkMeta::default(), &mut out)
            .is_err());
    }
}

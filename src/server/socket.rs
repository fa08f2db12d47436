//! The server's end of one RFC 6455 connection after its handshake: reads decoded by the
//! core's `Decoder` (as frames from a client), writes built by the core's encoder, and every
//! byte in either direction handed to the tap when there is one.

use std::io;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use wsinspect::encode::{encode_frame, Deflater, FrameSpec};
use wsinspect::{DecodeOptions, DecodeOutput, Decoder, PerMessageDeflateParams, Protocol, Role};

use super::sessions::{Dir, TapSink};

/// Largest control frame payload (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// Outgoing permessage-deflate, honouring what was negotiated.
pub struct OutgoingDeflate {
    deflater: Deflater,
    /// Messages over this many bytes go uncompressed (a `server_max_window_bits` below 15:
    /// the compressor's window is always 32 KiB, so only a message no longer than the agreed
    /// window, compressed from an empty window, is sure to stay within it).
    max_compressed: usize,
}

impl OutgoingDeflate {
    pub fn new(params: &PerMessageDeflateParams) -> Self {
        let bits = params.server_max_window_bits.unwrap_or(15);
        // RFC 7692 §7.1.1.1: with server_no_context_takeover "the server MUST start compressing
        // each new message with an empty LZ77 sliding window". A smaller window also resets.
        let reset = params.server_no_context_takeover || bits < 15;
        OutgoingDeflate {
            deflater: Deflater::new(reset),
            max_compressed: if bits < 15 {
                1usize << bits
            } else {
                usize::MAX
            },
        }
    }

    /// The payload to send and whether it is compressed (RSV1).
    pub fn payload(&mut self, data: &[u8]) -> (Vec<u8>, bool) {
        if data.len() > self.max_compressed {
            (data.to_vec(), false)
        } else {
            (self.deflater.compress_message(data), true)
        }
    }
}

/// One accepted WebSocket connection.
pub struct Socket {
    reader: OwnedReadHalf,
    writer: OwnedWriteHalf,
    pub tap: Option<TapSink>,
    decoder: Decoder,
    deflate: Option<OutgoingDeflate>,
    write_timeout: Duration,
    /// A close frame has been written.
    pub sent_close: bool,
    /// A close frame has been read.
    pub received_close: bool,
}

impl Socket {
    /// `protocol` is `Rfc6455` or `Hixie76`; `extensions` is the negotiated Sec-WebSocket-Extensions response value.
    pub fn new(
        stream: TcpStream,
        tap: Option<TapSink>,
        protocol: Protocol,
        extensions: Option<&str>,
        deflate: Option<&PerMessageDeflateParams>,
        max_message: usize,
        write_timeout: Duration,
    ) -> Self {
        let options = DecodeOptions {
            role: Role::Client,
            protocol,
            extensions: extensions.map(str::to_owned),
            max_message_size: Some(max_message as u64),
            ..DecodeOptions::default()
        };
        // The value was written by this server from parameters the core parsed: it parses.
        let decoder = Decoder::new(options.clone()).unwrap_or_else(|_| {
            Decoder::new(DecodeOptions {
                extensions: None,
                ..options
            })
            .expect("no extensions")
        });
        let (reader, writer) = stream.into_split();
        Socket {
            reader,
            writer,
            tap,
            decoder,
            deflate: deflate.map(OutgoingDeflate::new),
            write_timeout,
            sent_close: false,
            received_close: false,
        }
    }

    /// Reads once (cancel-safe, for `select!`); pass what it read to [`Socket::decode`].
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf).await
    }

    /// Records bytes read and decodes them. The decoder holds the message limit: a message
    /// past it is a `message-too-big` violation, and its bytes are not kept.
    pub async fn decode(&mut self, bytes: &[u8]) -> DecodeOutput {
        self.record_in(bytes).await;
        self.decode_unrecorded(bytes)
    }

    /// Records bytes read, without decoding them yet.
    pub async fn record_in(&mut self, bytes: &[u8]) {
        if let Some(tap) = &mut self.tap {
            tap.bytes(Dir::In, Instant::now(), bytes).await;
        }
    }

    /// Decodes bytes already recorded (those read along with the handshake head).
    pub fn decode_unrecorded(&mut self, bytes: &[u8]) -> DecodeOutput {
        self.decoder.push(bytes)
    }

    /// Writes bytes as they are, and records them.
    /// A peer that takes nothing for `write_timeout` fails the write (it is gone, or will not
    /// read).
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match tokio::time::timeout(self.write_timeout, self.writer.write_all(bytes)).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the peer stopped reading",
                ))
            }
        }
        if let Some(tap) = &mut self.tap {
            tap.bytes(Dir::Out, Instant::now(), bytes).await;
        }
        Ok(())
    }

    /// Writes one frame built from `spec`.
    pub async fn send_frame(&mut self, spec: &FrameSpec) -> io::Result<()> {
        self.write(&encode_frame(spec)).await
    }

    /// Sends a whole message in `frames` frames (1 or more), compressed when negotiated.
    pub async fn send_message(&mut self, text: bool, data: &[u8], frames: usize) -> io::Result<()> {
        let (payload, compressed) = match &mut self.deflate {
            Some(d) => d.payload(data),
            None => (data.to_vec(), false),
        };
        let frames = frames.max(1);
        let size = payload.len().div_ceil(frames).max(1);
        let mut bytes = Vec::with_capacity(payload.len() + 14 * frames);
        for i in 0..frames {
            let start = (i * size).min(payload.len());
            let end = ((i + 1) * size).min(payload.len());
            let opcode = if i > 0 {
                0x0
            } else if text {
                0x1
            } else {
                0x2
            };
            let mut spec = FrameSpec::new(opcode, &payload[start..end]);
            spec.fin = i + 1 == frames;
            // RFC 7692 §6.1: RSV1 is set on the first frame of a compressed message only.
            spec.rsv1 = compressed && i == 0;
            bytes.extend_from_slice(&encode_frame(&spec));
        }
        self.write(&bytes).await
    }

    /// Sends a close frame (no code: an empty payload) and remembers it.
    pub async fn send_close(&mut self, code: Option<u16>, reason: &str) -> io::Result<()> {
        self.closing();
        let frame = match code {
            Some(code) => FrameSpec::close(code, truncate_utf8(reason, MAX_CONTROL_PAYLOAD - 2)),
            None => FrameSpec::new(0x8, Vec::new()),
        };
        self.send_frame(&frame).await
    }

    /// A close has been (or is being) written: from now on only the peer's close matters, so
    /// the decoder keeps no data payload and inflates nothing.
    pub fn closing(&mut self) {
        self.sent_close = true;
        self.decoder.discard_data();
    }

    /// Ends the write side (TCP FIN) after a close has gone both ways.
    pub async fn shutdown(&mut self) {
        let _ = self.writer.shutdown().await;
    }

    /// The tap sink, if this connection is watched.
    pub fn tap(&self) -> Option<&TapSink> {
        self.tap.as_ref()
    }

    /// Tells the tap (if any) something the server decided.
    pub async fn note(&self, text: String) {
        if let Some(tap) = &self.tap {
            tap.note(text).await;
        }
    }

    pub fn deflate_negotiated(&self) -> bool {
        self.deflate.is_some()
    }
}

impl Drop for Socket {
    /// A connection whose task panicked ends with close 1011 (RFC 6455 §7.4.1: "a server
    /// is terminating the connection because it encountered an unexpected condition"), as
    /// far as the socket takes it without waiting.
    fn drop(&mut self) {
        if std::thread::panicking() && !self.sent_close {
            let close = encode_frame(&FrameSpec::close(1011, "internal error"));
            let _ = self.writer.try_write(&close);
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate_utf8("abc", 5), "abc");
        assert_eq!(truncate_utf8("aé", 2), "a");
        assert_eq!(truncate_utf8("aé", 3), "aé");
    }

    #[test]
    fn a_small_window_sends_long_messages_uncompressed() {
        let params = PerMessageDeflateParams {
            server_max_window_bits: Some(9),
            ..Default::default()
        };
        let mut d = OutgoingDeflate::new(&params);
        assert!(d.payload(&[b'a'; 512]).1);
        let (payload, compressed) = d.payload(&[b'a'; 513]);
        assert!(!compressed);
        assert_eq!(payload.len(), 513);
    }

    #[test]
    fn compressed_output_inflates_back_with_the_core_inflater_across_messages() {
        let mut d = OutgoingDeflate::new(&PerMessageDeflateParams::default());
        let mut inflater = wsinspect::Inflater::new(false);
        for i in 0..5 {
            let text = format!("message {i} {}", "abc".repeat(100));
            let (payload, compressed) = d.payload(text.as_bytes());
            assert!(compressed && payload.len() < text.len());
            let mut out = Vec::new();
            inflater.inflate(&payload, &mut out, None).unwrap();
            inflater.finish_message(&mut out, None).unwrap();
            assert_eq!(out, text.as_bytes());
        }
    }
}

//! The server's end of one RFC 6455 connection after its handshake: reads decoded by the
//! core's `Decoder` (as frames from a client), writes built by the core's encoder, and every
//! byte in either direction handed to the tap when there is one.

use std::io;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use wsinspect::deflate::Deflater;
use wsinspect::encode::{encode_frame, encode_hixie_close, FrameSpec};
use wsinspect::endpoint_step::{Event, Step};
use wsinspect::{
    DecodeOptions, Decoder, OpCode, PerMessageDeflateParams, Protocol, Responder, Role,
};

use super::sessions::{Dir, TapSink};

/// The read buffer of every loop over a [`Socket`] (`/echo`, `/tap`, the hixie-76 echo, the
/// drain after a close): a read never takes more than this from the socket at once.
///
/// 16 KiB: large enough that one read usually takes all a peer has sent (several full TCP
/// segments), small enough that the buffer each connection keeps for its whole life stays
/// cheap across `max_connections` connections. It bounds no frame and no message: a read's
/// bytes go to the decoder and the tap as they are, and the decoder holds what a frame
/// needs, up to the message limit.
pub const READ_CHUNK: usize = 16 * 1024;

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
    /// What the endpoint answers to what the decoder read, and which closes went which way.
    responder: Responder,
    deflate: Option<OutgoingDeflate>,
    write_timeout: Duration,
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
            responder: Responder::new(protocol),
            deflate: deflate.map(OutgoingDeflate::new),
            write_timeout,
        }
    }

    /// Reads once (cancel-safe, for `select!`); pass what it read to [`Socket::receive`].
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf).await
    }

    /// Records bytes read, decodes them and says what the endpoint does about them (see
    /// [`wsinspect::endpoint_step`]). The decoder holds the message limit: a message past it
    /// is a `message-too-big` violation, and its bytes are not kept.
    pub async fn receive(&mut self, bytes: &[u8]) -> Step {
        self.record_in(bytes).await;
        self.receive_unrecorded(bytes)
    }

    /// Records bytes read, without decoding them yet.
    pub async fn record_in(&mut self, bytes: &[u8]) {
        if let Some(tap) = &mut self.tap {
            tap.bytes(Dir::In, Instant::now(), bytes).await;
        }
    }

    /// [`Socket::receive`] for bytes already recorded (those read along with the handshake
    /// head).
    pub fn receive_unrecorded(&mut self, bytes: &[u8]) -> Step {
        let out = self.decoder.push(bytes);
        let step = self.responder.step(out);
        if self.responder.sent_close() {
            // The step decided to close: nothing after it is kept or inflated.
            self.decoder.discard_data();
        }
        step
    }

    /// Writes a frame a step decided on (a pong or a close). `note` (the step's) goes to the
    /// tap just before the close it explains. A message event writes nothing: what to do with
    /// a message is the caller's.
    pub async fn reply(&mut self, event: &Event, note: &mut Option<String>) -> io::Result<()> {
        let closes = match event {
            Event::Send(spec) => spec.opcode == OpCode::Close.as_u8(),
            Event::SendHixieClose => true,
            Event::Message(_) => return Ok(()),
        };
        if closes {
            if let Some(note) = note.take() {
                self.note(note).await;
            }
        }
        match event {
            Event::Send(spec) => self.send_frame(spec).await,
            _ => self.write(&encode_hixie_close()).await,
        }
    }

    /// Whether a close has been written (or is being written).
    pub fn sent_close(&self) -> bool {
        self.responder.sent_close()
    }

    /// Whether the peer's close has been read.
    pub fn received_close(&self) -> bool {
        self.responder.received_close()
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
                OpCode::Continuation
            } else if text {
                OpCode::Text
            } else {
                OpCode::Binary
            }
            .as_u8();
            let mut spec = FrameSpec::new(opcode, &payload[start..end]);
            spec.fin = i + 1 == frames;
            // RFC 7692 §6.1: RSV1 is set on the first frame of a compressed message only.
            spec.rsv1 = compressed && i == 0;
            bytes.extend_from_slice(&encode_frame(&spec));
        }
        self.write(&bytes).await
    }

    /// Sends a close frame (no code: an empty payload; the reason cut to what a close frame
    /// holds) and remembers it.
    pub async fn send_close(&mut self, code: Option<u16>, reason: &str) -> io::Result<()> {
        let frame = self.responder.close(code, reason);
        self.closing();
        self.send_frame(&frame).await
    }

    /// A close has been (or is being) written: from now on only the peer's close matters, so
    /// the decoder keeps no data payload and inflates nothing.
    pub fn closing(&mut self) {
        self.responder.closing();
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
        if std::thread::panicking() && !self.responder.sent_close() {
            let close = encode_frame(&FrameSpec::close(1011, "internal error"));
            let _ = self.writer.try_write(&close);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

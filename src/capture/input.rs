//! One entry point for whatever a user drops: a pcap or pcapng file (read as a stream),
//! a browser's HAR, or the text forms of one connection (Follow TCP Stream, packet
//! dumps, one direction's bytes), each giving a capture of its conversations.

use super::driver::PacketCapture;
use super::file::sniff;
use super::{
    from_har, CaptureConversation, CaptureError, CaptureEvent, CaptureFormat, CaptureGap,
    CaptureOptions, CaptureResult, CaptureStats,
};
use crate::bytes::{parse_bytes, Format, ParseError};
use crate::conversation::{decode_one_direction, decode_transcript, ConversationOptions};
use crate::direction::Transcript;
use crate::transcript::{read, Form};

/// Reads any input wsinspect takes, pushed in slices: capture files are read as they
/// come (conversations are reported as their connections close); the other forms are
/// read whole at `end`.
///
/// ```
/// use wsinspect::capture::{CaptureDecoder, CaptureEvent, CaptureOptions};
/// let mut d = CaptureDecoder::new(CaptureOptions::default());
/// let mut events = d.push(b"81 05 48 65 6c");
/// events.extend(d.push(b" 6c 6f"));
/// events.extend(d.end());
/// let CaptureEvent::Conversation(c) = &events[0] else { panic!() };
/// assert_eq!(c.result.messages[0].item.text(), Some("Hello"));
/// assert_eq!(d.format(), Some("stream"));
/// ```
pub struct CaptureDecoder {
    options: CaptureOptions,
    /// Where a capture file's conversations go instead of events (see [`offload`]).
    ///
    /// [`offload`]: CaptureDecoder::offload
    #[cfg(not(target_arch = "wasm32"))]
    sink: Option<super::ConversationSink>,
    mode: Mode,
    format: Option<&'static str>,
    stats: CaptureStats,
    error: Option<CaptureError>,
}

enum Mode {
    /// Fewer bytes than a magic number: not known yet.
    Sniffing(Vec<u8>),
    /// A capture file.
    Packets(Box<PacketCapture>),
    /// Text or HAR, read whole at the end.
    Whole(Vec<u8>),
    /// Ended.
    Done,
}

/// Bytes needed to tell a capture file by its magic number.
const MAGIC: usize = 4;

impl CaptureDecoder {
    /// Natively: a capture file's conversations are decoded on a thread of their own, each
    /// finished one given to `sink` on that thread instead of being returned as an event;
    /// `end` returns once every one has been given. Reading the file, TCP reassembly and
    /// TLS decryption stay on the caller's thread, so on two cores they overlap with the
    /// decoding. Call it before the first push; other inputs (HAR, text) are unaffected.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn offload(&mut self, sink: super::ConversationSink) {
        self.sink = Some(sink);
    }

    /// A decoder with nothing read.
    pub fn new(options: CaptureOptions) -> CaptureDecoder {
        CaptureDecoder {
            options,
            #[cfg(not(target_arch = "wasm32"))]
            sink: None,
            mode: Mode::Sniffing(Vec::new()),
            format: None,
            stats: CaptureStats::default(),
            error: None,
        }
    }

    /// What the input is (see [`CaptureResult::format`]), once known.
    pub fn format(&self) -> Option<&'static str> {
        match &self.mode {
            Mode::Packets(p) => p.format().or(self.format),
            _ => self.format,
        }
    }

    /// What was counted so far.
    pub fn stats(&self) -> CaptureStats {
        match &self.mode {
            // Bytes pushed, not bytes read into packets: what a progress bar counts.
            Mode::Packets(p) => CaptureStats {
                bytes: self.stats.bytes,
                ..p.stats().clone()
            },
            _ => self.stats.clone(),
        }
    }

    /// The error that stopped the reading, if one did.
    pub fn error(&self) -> Option<&CaptureError> {
        match &self.mode {
            Mode::Packets(p) => p.error(),
            _ => self.error.as_ref(),
        }
    }

    /// Takes the next slice of the input.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<CaptureEvent> {
        self.stats.bytes += chunk.len() as u64;
        match &mut self.mode {
            Mode::Sniffing(start) => {
                start.extend_from_slice(chunk);
                if start.len() < MAGIC {
                    return Vec::new();
                }
                let start = std::mem::take(start);
                self.choose(&start, false)
            }
            Mode::Packets(p) => p.push(chunk),
            Mode::Whole(bytes) => {
                bytes.extend_from_slice(chunk);
                Vec::new()
            }
            Mode::Done => Vec::new(),
        }
    }

    /// The end of the input.
    pub fn end(&mut self) -> Vec<CaptureEvent> {
        let mut events = Vec::new();
        if let Mode::Sniffing(start) = &mut self.mode {
            let start = std::mem::take(start);
            events = self.choose(&start, true);
        }
        match std::mem::replace(&mut self.mode, Mode::Done) {
            Mode::Packets(mut p) => {
                events.extend(p.end());
                self.mode = Mode::Packets(p);
            }
            Mode::Whole(bytes) => events.extend(self.read_whole(&bytes)),
            _ => {}
        }
        events
    }

    /// Chooses the reader by the first bytes (or the format asked for).
    fn choose(&mut self, start: &[u8], ended: bool) -> Vec<CaptureEvent> {
        let packets = match self.options.format {
            CaptureFormat::Pcap | CaptureFormat::Pcapng => true,
            CaptureFormat::Auto => sniff(start).is_some(),
            _ => false,
        };
        if packets && !(ended && start.is_empty()) {
            let mut p = Box::new(PacketCapture::new(self.options.clone()));
            #[cfg(not(target_arch = "wasm32"))]
            if let Some(sink) = self.sink.take() {
                p.offload(sink);
            }
            let events = p.push(start);
            self.mode = Mode::Packets(p);
            events
        } else {
            self.mode = Mode::Whole(start.to_vec());
            Vec::new()
        }
    }

    /// Text or HAR: one capture of its conversations.
    fn read_whole(&mut self, bytes: &[u8]) -> Vec<CaptureEvent> {
        let asked = self.options.format;
        if asked == CaptureFormat::Har
            || (asked == CaptureFormat::Auto && super::har::looks_like_har(bytes))
        {
            self.format = Some("har");
            return match super::har::read_har(bytes) {
                Ok(hars) => from_har::conversations(hars, &self.options)
                    .into_iter()
                    .map(|c| CaptureEvent::Conversation(Box::new(c)))
                    .collect(),
                Err(e) => {
                    self.error = Some(e);
                    Vec::new()
                }
            };
        }
        let options = ConversationOptions {
            max_message_size: self.options.max_message_size,
            mid_stream: false,
        };
        match self.read_text(bytes, asked, &options) {
            Ok((format, conversation)) => {
                self.format = Some(format);
                vec![CaptureEvent::Conversation(Box::new(conversation))]
            }
            Err(e) => {
                self.format = Some(match asked {
                    CaptureFormat::Auto => "stream",
                    other => other.as_str(),
                });
                self.error = Some(e);
                Vec::new()
            }
        }
    }

    /// A text form of one connection (or one direction's bytes).
    fn read_text(
        &self,
        bytes: &[u8],
        asked: CaptureFormat,
        options: &ConversationOptions,
    ) -> Result<(&'static str, CaptureConversation), CaptureError> {
        let text = std::str::from_utf8(bytes).ok();
        if asked != CaptureFormat::Stream {
            let found = match text {
                Some(text) => read(text).map_err(|e| text_error(text, e.into_parse_error(text)))?,
                None => None,
            };
            if let Some((t, form)) = found {
                let format = match form {
                    Form::PacketDump => "packet-dump",
                    _ => "follow",
                };
                if asked == CaptureFormat::Auto || asked.as_str() == format {
                    return Ok((format, from_transcript(&t, options)));
                }
            }
            if asked != CaptureFormat::Auto {
                return Err(CaptureError {
                    message: format!("the input is not {} text", asked.as_str()),
                    offset: 0,
                    packet: None,
                });
            }
        }
        let result = match text {
            Some(text) => {
                let parsed = parse_bytes(text, Format::Auto).map_err(|e| text_error(text, e))?;
                decode_one_direction(
                    &parsed.bytes,
                    format!("{}, 1 direction", parsed.detail),
                    options,
                )
            }
            None => decode_one_direction(bytes, "bytes, 1 direction".into(), options),
        };
        Ok(("stream", conversation(result, Vec::new())))
    }
}

/// A text error, at its byte offset, its line and column in the message.
fn text_error(text: &str, e: ParseError) -> CaptureError {
    let offset = text
        .char_indices()
        .nth(e.offset)
        .map_or(text.len(), |(at, _)| at) as u64;
    CaptureError {
        message: format!("line {}, column {}: {}", e.line, e.column, e.message),
        offset,
        packet: None,
    }
}

/// The conversation of a transcript, its gaps in stream offsets.
fn from_transcript(t: &Transcript, options: &ConversationOptions) -> CaptureConversation {
    let gaps = CaptureGap::from_gaps(&t.gaps);
    conversation(decode_transcript(t, options), gaps)
}

/// A decoded conversation as a capture's only one.
fn conversation(
    result: crate::conversation::ConversationResult,
    gaps: Vec<CaptureGap>,
) -> CaptureConversation {
    let times = || result.frames.iter().filter_map(|f| f.time);
    let start = times().reduce(f64::min);
    let end = times().reduce(f64::max);
    CaptureConversation {
        index: 0,
        client: result.client.clone(),
        server: result.server.clone(),
        start,
        end,
        mid_stream: false,
        gaps,
        bytes: [
            result.streams[0].len() as u64,
            result.streams[1].len() as u64,
        ],
        tls: None,
        result,
    }
}

/// Decodes a whole input at once.
///
/// ```
/// use wsinspect::capture::{decode_capture, CaptureOptions};
/// let r = decode_capture(b"not a capture, not hex", &CaptureOptions::default());
/// assert_eq!(r.format, "stream");
/// ```
pub fn decode_capture(input: &[u8], options: &CaptureOptions) -> CaptureResult {
    let mut decoder = CaptureDecoder::new(options.clone());
    let mut events = decoder.push(input);
    events.extend(decoder.end());
    decoder.result(events)
}

impl CaptureDecoder {
    /// The whole result, from every event the pushes and `end` returned (in order).
    pub fn result(&self, events: Vec<CaptureEvent>) -> CaptureResult {
        let mut result = CaptureResult {
            format: self.format().unwrap_or("stream").to_string(),
            stats: self.stats(),
            error: self.error().cloned(),
            ..CaptureResult::default()
        };
        for event in events {
            match event {
                CaptureEvent::Conversation(c) => result.conversations.push(*c),
                CaptureEvent::Notice(n) => result.notices.push(n),
                CaptureEvent::Tls(t) => result.tls.push(*t),
                CaptureEvent::Found { .. } => {}
            }
        }
        result.conversations.sort_by_key(|c| c.index);
        result
    }
}

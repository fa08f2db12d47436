//! The capture exports of the conversation module: decodeCapture (any input wsinspect
//! reads, at once), CaptureDecoder (a file read in slices: conversations as their
//! connections close) and conversationPcapng (a conversation saved as a pcapng).

use super::conversation::{endpoint_to_js, options_from_js, result_to_js};
use super::js::{array, error, get, get_string, num, or_null, Obj};
use crate::capture::{
    decode_capture, CaptureConversation, CaptureDecoder, CaptureError, CaptureEvent, CaptureFormat,
    CaptureGap, CaptureNotice, CaptureOptions, CaptureStats, TlsConnection, TlsFacts,
};
use wasm_bindgen::prelude::*;

/// Reads `{ format, maxMessageSize, midStream, streams, keyLog }` (keyLog: an NSS key
/// log's text, or its bytes).
fn capture_options(options: &JsValue) -> Result<CaptureOptions, JsValue> {
    let format = match get_string(options, "format")? {
        None => CaptureFormat::Auto,
        Some(name) => CaptureFormat::from_name(&name).ok_or_else(|| {
            error(
                &format!("format must be one of auto, pcap, pcapng, follow, packet-dump, har, stream; got {name:?}"),
                &[],
            )
        })?,
    };
    let mid_stream = get(options, "midStream").is_some_and(|v| v.is_truthy());
    let streams = get(options, "streams").is_none_or(|v| v.is_truthy());
    let key_log = match get(options, "keyLog") {
        None => None,
        Some(v) if v.is_string() => v.as_string().map(String::into_bytes),
        Some(v) if v.is_instance_of::<js_sys::Uint8Array>() => {
            Some(js_sys::Uint8Array::from(v).to_vec())
        }
        Some(_) => {
            return Err(error(
                "keyLog must be a string or a Uint8Array (an NSS key log)",
                &[],
            ))
        }
    };
    Ok(CaptureOptions {
        key_log,
        format,
        max_message_size: options_from_js(options)?.max_message_size,
        mid_stream,
        without_streams: !streams,
    })
}

fn gap_to_js(g: &CaptureGap) -> JsValue {
    Obj::new()
        .set("direction", g.direction.as_str())
        .set("offset", num(g.offset))
        .set("length", num(g.length))
        .set("packet", or_null(g.packet.map(num)))
        .into()
}

fn notice_to_js(n: &CaptureNotice) -> JsValue {
    Obj::new()
        .set("id", n.id.as_str())
        .set("message", n.message.as_str())
        .set("packet", or_null(n.packet.map(num)))
        .set("offset", or_null(n.offset.map(num)))
        .into()
}

/// `{ version, cipherSuite, sni, alpn, clientRandom }` set on `o`.
fn with_tls_facts(o: Obj, f: &TlsFacts) -> Obj {
    o.set("version", or_null(f.version.as_deref()))
        .set("cipherSuite", or_null(f.cipher_suite.as_deref()))
        .set("sni", or_null(f.sni.as_deref()))
        .set("alpn", or_null(f.alpn.as_deref()))
        .set("clientRandom", or_null(f.client_random.as_deref()))
}

/// A TLS connection: where, its status and why, and its facts.
fn tls_to_js(t: &TlsConnection) -> JsValue {
    let o = Obj::new()
        .set("client", endpoint_to_js(&t.client))
        .set("server", endpoint_to_js(&t.server))
        .set("start", or_null(t.start))
        .set("status", t.status.as_str())
        .set("message", t.message.as_str())
        .set("conversation", or_null(t.conversation.map(|i| i as u32)));
    with_tls_facts(o, &t.facts).into()
}

fn error_to_js(e: &CaptureError) -> JsValue {
    Obj::new()
        .set("message", e.message.as_str())
        .set("offset", num(e.offset))
        .set("packet", or_null(e.packet.map(num)))
        .into()
}

fn stats_to_js(s: &CaptureStats) -> JsValue {
    Obj::new()
        .set("packets", num(s.packets))
        .set("tcpPackets", num(s.tcp_packets))
        .set("udpPackets", num(s.udp_packets))
        .set("otherPackets", num(s.other_packets))
        .set("tcpConnections", num(s.tcp_connections))
        .set("midStreamCandidates", num(s.mid_stream_candidates))
        .set("bytes", num(s.bytes))
        .into()
}

/// The conversations issue's object plus index, client, server, start, end, gaps.
fn conversation_to_js(c: CaptureConversation) -> JsValue {
    let object = result_to_js(c.result);
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &value);
    };
    set("index", (c.index as u32).into());
    set("client", or_null(c.client.as_ref().map(endpoint_to_js)));
    set("server", or_null(c.server.as_ref().map(endpoint_to_js)));
    set("start", or_null(c.start));
    set("end", or_null(c.end));
    set("midStream", c.mid_stream.into());
    set(
        "tls",
        or_null(
            c.tls
                .as_ref()
                .map(|f| JsValue::from(with_tls_facts(Obj::new(), f))),
        ),
    );
    set("gaps", array(&c.gaps, gap_to_js));
    set(
        "bytes",
        Obj::new()
            .set("client", num(c.bytes[0]))
            .set("server", num(c.bytes[1]))
            .into(),
    );
    object
}

/// Any input wsinspect reads, at once: `{ format, conversations, notices, stats, error }`.
#[wasm_bindgen(js_name = decodeCapture)]
pub fn decode_capture_js(input: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
    let r = decode_capture(input, &capture_options(&options)?);
    Ok(Obj::new()
        .set("format", r.format.as_str())
        .set("conversations", array(r.conversations, conversation_to_js))
        .set("notices", array(&r.notices, notice_to_js))
        .set("tls", array(&r.tls, tls_to_js))
        .set("stats", stats_to_js(&r.stats))
        .set("error", or_null(r.error.as_ref().map(error_to_js)))
        .into())
}

/// A capture read in slices: `push(chunk)` and `end()` each return `{ found,
/// conversations, notices, stats, format, error }`: conversations found (their index,
/// client, server and start) and conversations decoded (their connection closed).
#[wasm_bindgen(js_name = CaptureDecoder)]
pub struct JsCaptureDecoder {
    inner: CaptureDecoder,
    /// Where `writable` lets JS read the next slice in: no copy on the way into the wasm.
    intake: Vec<u8>,
    /// The length of the last `writable` view: what `commit` may take.
    granted: usize,
}

/// The largest slice one `writable` view offers: a caller's byte count never sizes more.
const MAX_WRITABLE: usize = 16 << 20;

#[wasm_bindgen(js_class = CaptureDecoder)]
impl JsCaptureDecoder {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsCaptureDecoder, JsValue> {
        Ok(JsCaptureDecoder {
            inner: CaptureDecoder::new(capture_options(&options)?),
            intake: Vec::new(),
            granted: 0,
        })
    }

    /// Takes the next slice of the file.
    pub fn push(&mut self, chunk: &[u8]) -> JsValue {
        let events = self.inner.push(chunk);
        self.events_to_js(events)
    }

    /// A view of `min(n, 16 MiB)` bytes of wasm memory to read the next slice into, taken
    /// by `commit`: no copy on the way in. Valid until the next call on any wasm export (a
    /// call may grow the memory, which detaches it).
    pub fn writable(&mut self, n: usize) -> js_sys::Uint8Array {
        let n = n.min(MAX_WRITABLE);
        // Zeroed once as it grows, then reused as it is: JS writes what it commits.
        if self.intake.len() < n {
            self.intake.resize(n, 0);
        }
        self.granted = n;
        // SAFETY: the view aliases `intake`, which nothing touches until `commit` or the
        // next `writable`; JS is told the view lasts only until its next wasm call.
        unsafe { js_sys::Uint8Array::view(&self.intake[..n]) }
    }

    /// Takes the first `n` bytes written into the last `writable` view, as `push` of them.
    pub fn commit(&mut self, n: usize) -> JsValue {
        let n = n.min(std::mem::take(&mut self.granted));
        let intake = std::mem::take(&mut self.intake);
        let events = self.inner.push(&intake[..n]);
        self.intake = intake;
        self.events_to_js(events)
    }

    /// The end of the file.
    pub fn end(&mut self) -> JsValue {
        let events = self.inner.end();
        self.events_to_js(events)
    }

    fn events_to_js(&self, events: Vec<CaptureEvent>) -> JsValue {
        let (mut found, mut conversations, mut notices) = (Vec::new(), Vec::new(), Vec::new());
        let mut tls = Vec::new();
        for event in events {
            match event {
                CaptureEvent::Found {
                    index,
                    client,
                    server,
                    start,
                } => found.push(
                    Obj::new()
                        .set("index", index as u32)
                        .set("client", endpoint_to_js(&client))
                        .set("server", endpoint_to_js(&server))
                        .set("start", or_null(start))
                        .into(),
                ),
                CaptureEvent::Conversation(c) => conversations.push(conversation_to_js(*c)),
                CaptureEvent::Notice(n) => notices.push(notice_to_js(&n)),
                CaptureEvent::Tls(t) => tls.push(tls_to_js(&t)),
            }
        }
        let list = |items: Vec<JsValue>| array(items, |v| v);
        Obj::new()
            .set("found", list(found))
            .set("conversations", list(conversations))
            .set("notices", list(notices))
            .set("tls", list(tls))
            .set("stats", stats_to_js(&self.inner.stats()))
            .set("format", or_null(self.inner.format()))
            .set("error", or_null(self.inner.error().map(error_to_js)))
            .into()
    }
}

/// A conversation object (decodeCapture's, decodeConversation's, or any object with
/// `streams` `{client, server}` (Uint8Array), `frames` `[{direction, offset, length,
/// time}]` and optional `client`/`server` `{address, port}`) as a pcapng file: the heads
/// first, then each frame's bytes as one chunk, in the order of `frames`.
#[wasm_bindgen(js_name = conversationPcapng)]
pub fn conversation_pcapng(conversation: JsValue) -> Result<Vec<u8>, JsValue> {
    let t = transcript_from_js(&conversation)?;
    Ok(crate::capture::write_pcapng(&t))
}

fn transcript_from_js(c: &JsValue) -> Result<crate::Transcript, JsValue> {
    use crate::{ChunkMeta, DirectedChunk, Direction, Endpoint};
    let bad = |what: &str| error(&format!("conversationPcapng: {what}"), &[]);
    let streams = get(c, "streams").ok_or_else(|| bad("the conversation has no streams"))?;
    let stream = |name: &str| -> Result<Vec<u8>, JsValue> {
        let value =
            get(&streams, name).ok_or_else(|| bad(&format!("streams.{name} is missing")))?;
        value
            .dyn_into::<js_sys::Uint8Array>()
            .map(|a| a.to_vec())
            .map_err(|_| bad(&format!("streams.{name} is not a Uint8Array")))
    };
    let streams = [stream("client")?, stream("server")?];
    let endpoint = |name: &str| -> Option<Endpoint> {
        let e = get(c, name)?;
        Some(Endpoint {
            address: get(&e, "address")?.as_string()?,
            port: get(&e, "port")?
                .as_f64()
                .filter(|p| (0.0..65536.0).contains(p))? as u16,
        })
    };
    // Where each direction's chunks start: 0, then every frame's offset, in `frames` order.
    let mut cuts: Vec<(Direction, u64, Option<f64>)> = Vec::new();
    let mut first_time = None;
    if let Some(frames) = get(c, "frames").and_then(|f| f.dyn_into::<js_sys::Array>().ok()) {
        for f in frames.iter() {
            let direction = get(&f, "direction")
                .and_then(|d| d.as_string())
                .and_then(|d| Direction::from_name(&d))
                .ok_or_else(|| bad("a frame has no direction"))?;
            let offset = get(&f, "offset")
                .and_then(|o| o.as_f64())
                .ok_or_else(|| bad("a frame has no offset"))? as u64;
            let time = get(&f, "time").and_then(|t| t.as_f64());
            first_time = first_time.or(time);
            cuts.push((direction, offset, time));
        }
    }
    let mut chunks = Vec::new();
    let mut next = [0u64; 2];
    let take = |d: Direction,
                until: u64,
                time: Option<f64>,
                next: &mut [u64; 2],
                chunks: &mut Vec<DirectedChunk>| {
        let stream = &streams[d.index()];
        let (from, to) = (next[d.index()] as usize, (until as usize).min(stream.len()));
        if to > from {
            chunks.push(DirectedChunk {
                direction: d,
                bytes: stream[from..to].to_vec(),
                meta: ChunkMeta { time, packet: None },
            });
            next[d.index()] = to as u64;
        }
    };
    // The heads (what comes before each direction's first frame) first, client first.
    for d in Direction::BOTH {
        let first = cuts.iter().find(|c| c.0 == d).map_or(u64::MAX, |c| c.1);
        take(d, first, first_time, &mut next, &mut chunks);
    }
    for (i, &(d, offset, time)) in cuts.iter().enumerate() {
        next[d.index()] = next[d.index()].max(offset);
        let end = cuts[i + 1..]
            .iter()
            .find(|c| c.0 == d)
            .map_or(u64::MAX, |c| c.1);
        take(d, end, time, &mut next, &mut chunks);
    }
    Ok(crate::Transcript {
        format: "wsinspect".into(),
        client: endpoint("client"),
        server: endpoint("server"),
        chunks,
        notes: Vec::new(),
        gaps: Vec::new(),
    })
}

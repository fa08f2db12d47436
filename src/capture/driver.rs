//! From a capture file's bytes to its WebSocket conversations: packets read, headers
//! parsed, TCP reassembled, each connection judged, each WebSocket conversation decoded
//! with the conversation model when its connection closes (or the capture ends).

use std::collections::{HashMap, HashSet};

use super::connections::{decide, direction, Held, Verdict};
use super::file::{FileEvent, FileFormat, FileReader, RawPacket};
use super::link::{read_packet, LinkRead};
#[cfg(not(target_arch = "wasm32"))]
use super::offload::{ConversationSink, Offload, Remote};
use super::tcp::{ConnectionId, Reassembler, ReassemblyOptions, TcpEvent};
use super::tls::{self, KeyLog, TlsOutput, TlsSession};
use super::{
    CaptureConversation, CaptureError, CaptureEvent, CaptureGap, CaptureNotice, CaptureNoticeId,
    CaptureOptions, CaptureStats, SocketAddress, TlsConnection,
};
use crate::conversation::{Builder, ConversationOptions, ConversationResult};
use crate::direction::{ChunkMeta, Direction, Endpoint};
use crate::transcript::Gap;

/// The most notices of one kind a capture reports one by one; past it they are counted
/// and said once at the end.
const NOTICES_PER_KIND: usize = 100;

/// One TCP connection's state.
struct Connection {
    ends: [SocketAddress; 2],
    syn_seen: bool,
    start: Option<f64>,
    end: Option<f64>,
    verdict: Verdict,
    /// The conversation's index once it is one.
    index: Option<usize>,
    /// Its first bytes, while what it is is not known.
    held: Held,
    /// Its conversation, decoded as its bytes come, once it is one.
    builder: Option<Decoding>,
    /// Its gaps, offsets counted in the bytes present (as a transcript's).
    gaps: Vec<Gap>,
    /// A TLS connection's records, decrypted: from then on `verdict`, `held` and
    /// `builder` are about its plaintext.
    tls: Option<Box<TlsSession>>,
}

impl Connection {
    /// Who sent side `side`'s bytes, once the conversation is known.
    fn direction(&self, side: usize) -> Direction {
        match self.verdict {
            Verdict::WebSocket { client_side } | Verdict::MidStream { client_side } => {
                direction(side, client_side)
            }
            _ => Direction::Client,
        }
    }
}

/// Where a conversation is decoded.
enum Decoding {
    /// Here, as its bytes come.
    Here(Box<Builder>),
    /// On the decoding thread ([`Offload`]).
    #[cfg(not(target_arch = "wasm32"))]
    There(Remote),
}

impl Decoding {
    /// Bytes pushed each way.
    fn present(&self) -> [u64; 2] {
        match self {
            Decoding::Here(b) => b.present,
            #[cfg(not(target_arch = "wasm32"))]
            Decoding::There(r) => r.present,
        }
    }
}

/// Reads a capture file pushed in slices.
pub(crate) struct PacketCapture {
    reader: FileReader,
    tcp: Reassembler,
    state: State,
}

/// Everything but the reader and the reassembler, whose callbacks update it.
struct State {
    options: CaptureOptions,
    format: Option<&'static str>,
    connections: HashMap<ConnectionId, Connection>,
    conversations: usize,
    stats: CaptureStats,
    unknown_links: HashSet<u32>,
    notice_counts: HashMap<CaptureNoticeId, usize>,
    error: Option<CaptureError>,
    events: Vec<CaptureEvent>,
    /// Connections judged not WebSocket, for the reassembler to stop keeping bytes of.
    quiet: Vec<ConnectionId>,
    /// The secrets of the key logs given and of the file's Decryption Secrets Blocks.
    keys: KeyLog,
    /// The thread conversations are decoded on, when there is one.
    #[cfg(not(target_arch = "wasm32"))]
    offload: Option<Offload>,
    ended: bool,
}

impl PacketCapture {
    pub(crate) fn new(options: CaptureOptions) -> PacketCapture {
        PacketCapture {
            reader: FileReader::new(),
            tcp: Reassembler::new(ReassemblyOptions::default()),
            state: State::new(options),
        }
    }

    /// Decodes conversations on a thread of their own from here on, each finished one given
    /// to `sink` (not returned as an event); false when no thread can be had.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn offload(&mut self, sink: ConversationSink) -> bool {
        self.state.offload = Offload::start(sink);
        self.state.offload.is_some()
    }

    /// `"pcap"` or `"pcapng"`, once the magic number has been read.
    pub(crate) fn format(&self) -> Option<&'static str> {
        self.state
            .format
            .or_else(|| self.reader.format().map(format_name))
    }

    pub(crate) fn stats(&self) -> &CaptureStats {
        &self.state.stats
    }

    pub(crate) fn error(&self) -> Option<&CaptureError> {
        self.state.error.as_ref()
    }

    /// Takes the next slice of the file.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Vec<CaptureEvent> {
        let state = &mut self.state;
        if state.format.is_none() {
            // Known from the magic number, before any connection closes in this push.
            state.format = super::file::sniff(chunk).map(format_name);
        }
        if state.error.is_none() && !state.ended {
            let tcp = &mut self.tcp;
            let result = self
                .reader
                .push(chunk, &mut |event| state.file_event(event, tcp));
            if let Err(e) = result {
                state.error = Some(e);
                state.finish(&mut self.tcp);
            }
        }
        state.stats.bytes = self.reader.bytes_read();
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(offload) = state.offload.as_mut() {
            offload.flush();
        }
        std::mem::take(&mut state.events)
    }

    /// The end of the file: what is still open is decoded as it stands.
    pub(crate) fn end(&mut self) -> Vec<CaptureEvent> {
        let state = &mut self.state;
        if !state.ended {
            if state.error.is_none() {
                let tcp = &mut self.tcp;
                let result = self.reader.end(&mut |event| state.file_event(event, tcp));
                if let Err(e) = result {
                    state.error = Some(e);
                }
            }
            state.finish(&mut self.tcp);
        }
        state.stats.bytes = self.reader.bytes_read();
        std::mem::take(&mut state.events)
    }
}

fn format_name(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Pcap => "pcap",
        FileFormat::Pcapng => "pcapng",
    }
}

impl State {
    fn new(options: CaptureOptions) -> State {
        let mut keys = KeyLog::default();
        let problems = options.key_log.as_deref().map(|text| keys.read(text));
        let mut state = State {
            options,
            format: None,
            connections: HashMap::new(),
            conversations: 0,
            stats: CaptureStats::default(),
            unknown_links: HashSet::new(),
            notice_counts: HashMap::new(),
            error: None,
            events: Vec::new(),
            quiet: Vec::new(),
            keys,
            #[cfg(not(target_arch = "wasm32"))]
            offload: None,
            ended: false,
        };
        for p in problems.unwrap_or_default() {
            state.notice(CaptureNotice {
                id: CaptureNoticeId::KeyLog,
                message: format!("key log line {}: {}", p.line, p.message),
                packet: None,
                offset: None,
            });
        }
        state
    }

    /// The end of the capture (or a reading error): every connection still open is
    /// closed as it stands.
    fn finish(&mut self, tcp: &mut Reassembler) {
        self.ended = true;
        tcp.end(&mut |e| self.tcp_event(e));
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(offload) = self.offload.as_mut() {
            offload.finish();
        }
        let mut counts: Vec<_> = self.notice_counts.iter().collect();
        counts.sort_by_key(|(id, _)| id.as_str());
        let said: Vec<CaptureNotice> = counts
            .into_iter()
            .filter(|(_, &n)| n > NOTICES_PER_KIND)
            .map(|(id, n)| CaptureNotice {
                id: *id,
                message: format!(
                    "{} more {} notices not listed one by one",
                    n - NOTICES_PER_KIND,
                    id.as_str()
                ),
                packet: None,
                offset: None,
            })
            .collect();
        self.events
            .extend(said.into_iter().map(CaptureEvent::Notice));
    }

    fn file_event(&mut self, event: FileEvent<'_>, tcp: &mut Reassembler) {
        match event {
            FileEvent::Notice(n) => self.notice(n),
            FileEvent::Packet(p) => self.packet(&p, tcp),
            FileEvent::KeyLog { text, offset } => {
                for p in self.keys.read(text) {
                    self.notice(CaptureNotice {
                        id: CaptureNoticeId::KeyLog,
                        message: format!(
                            "decryption secrets block at byte {offset}, key log line {}: {}",
                            p.line, p.message
                        ),
                        packet: None,
                        offset: Some(offset),
                    });
                }
            }
        }
    }

    fn notice(&mut self, notice: CaptureNotice) {
        let count = self.notice_counts.entry(notice.id).or_default();
        *count += 1;
        if *count <= NOTICES_PER_KIND {
            self.events.push(CaptureEvent::Notice(notice));
        }
    }

    fn packet(&mut self, packet: &RawPacket<'_>, tcp: &mut Reassembler) {
        self.stats.packets += 1;
        // A packet's comment (pcapng opt_comment) is kept, with its packet.
        if let Some(comment) = &packet.comment {
            self.notice(CaptureNotice {
                id: CaptureNoticeId::Comment,
                message: format!("packet {}: comment: {comment}", packet.number),
                packet: Some(packet.number),
                offset: Some(packet.offset),
            });
        }
        let read = match read_packet(packet) {
            Ok(read) => read,
            Err(message) => {
                self.stats.other_packets += 1;
                return self.notice(CaptureNotice {
                    id: CaptureNoticeId::BadPacket,
                    message: format!("packet {}: {message}", packet.number),
                    packet: Some(packet.number),
                    offset: Some(packet.offset),
                });
            }
        };
        match read {
            LinkRead::Tcp(segment) => {
                self.stats.tcp_packets += 1;
                tcp.push(&segment, &mut |e| self.tcp_event(e));
                for connection in self.quiet.drain(..) {
                    tcp.quiet(connection);
                }
            }
            LinkRead::Udp => self.stats.udp_packets += 1,
            LinkRead::Other(_) => self.stats.other_packets += 1,
            LinkRead::UnknownLinkType(link) => {
                self.stats.other_packets += 1;
                if self.unknown_links.insert(link) {
                    self.notice(CaptureNotice {
                        id: CaptureNoticeId::UnknownLinkType,
                        message: format!(
                            "packet {}: link type {link} is not one wsinspect reads: its packets are skipped",
                            packet.number
                        ),
                        packet: Some(packet.number),
                        offset: Some(packet.offset),
                    });
                }
            }
            LinkRead::Fragment => {
                self.stats.other_packets += 1;
                self.notice(CaptureNotice {
                    id: CaptureNoticeId::IpFragment,
                    message: format!(
                        "packet {}: an ip fragment, skipped (fragments are not reassembled)",
                        packet.number
                    ),
                    packet: Some(packet.number),
                    offset: Some(packet.offset),
                });
            }
        }
    }

    fn tcp_event(&mut self, event: TcpEvent<'_>) {
        match event {
            TcpEvent::Opened {
                connection,
                initiator,
                responder,
                syn_seen,
                time,
                ..
            } => {
                self.stats.tcp_connections += 1;
                self.connections.insert(
                    connection,
                    Connection {
                        ends: [initiator, responder],
                        syn_seen,
                        start: time,
                        end: time,
                        verdict: Verdict::Undecided,
                        index: None,
                        held: Held::default(),
                        builder: None,
                        gaps: Vec::new(),
                        tls: None,
                    },
                );
            }
            TcpEvent::Data {
                connection,
                side,
                bytes,
                packet,
                time,
                ..
            } => {
                let Some(c) = self.connections.get_mut(&connection) else {
                    return;
                };
                c.end = time.or(c.end);
                let meta = ChunkMeta {
                    time,
                    packet: Some(packet),
                };
                if let Some(tls) = c.tls.as_mut() {
                    let mut out = Vec::new();
                    tls.push(side, bytes, meta, &self.keys, &mut out);
                    return self.tls_output(connection, out);
                }
                self.data(connection, side, bytes, meta);
            }
            TcpEvent::Gap {
                connection,
                side,
                length,
                packet,
                ..
            } => {
                let Some(c) = self.connections.get_mut(&connection) else {
                    return;
                };
                if let Some(tls) = c.tls.as_mut() {
                    let mut out = Vec::new();
                    tls.gap(side, length, Some(packet), &mut out);
                    return self.tls_output(connection, out);
                }
                self.gap(connection, side, length, Some(packet));
            }
            TcpEvent::Notice { notice, .. } => self.notice(notice),
            TcpEvent::Closed { connection } => {
                if let Some(tls) = self
                    .connections
                    .get_mut(&connection)
                    .and_then(|c| c.tls.as_mut())
                {
                    let mut out = Vec::new();
                    tls.finish(&mut out);
                    self.tls_output(connection, out);
                }
                self.judge(connection, true);
                if let Some(c) = self.connections.remove(&connection) {
                    self.close(c);
                }
            }
        }
    }

    /// A side's next bytes (a TLS connection's: decrypted), into its conversation or
    /// held while what the connection is is not known.
    fn data(&mut self, connection: ConnectionId, side: usize, bytes: &[u8], meta: ChunkMeta) {
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        if matches!(c.verdict, Verdict::Other) {
            return;
        }
        let direction = c.direction(side);
        match &mut c.builder {
            Some(Decoding::Here(b)) => b.push(direction, bytes, meta),
            #[cfg(not(target_arch = "wasm32"))]
            Some(Decoding::There(r)) => {
                if let Some(offload) = self.offload.as_mut() {
                    offload.push(r, direction, bytes, meta);
                }
            }
            None => {
                c.held.data(side, bytes, meta);
                self.judge(connection, false);
            }
        }
    }

    /// A hole in a side's bytes (a TLS connection's: a record left out).
    fn gap(&mut self, connection: ConnectionId, side: usize, length: u64, packet: Option<u64>) {
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        let direction = c.direction(side);
        match &mut c.builder {
            Some(decoding) => {
                c.gaps.push(Gap {
                    direction,
                    offset: decoding.present()[direction.index()],
                    missing: length,
                    packet,
                });
                match decoding {
                    Decoding::Here(b) => b.gap(direction, length),
                    #[cfg(not(target_arch = "wasm32"))]
                    Decoding::There(r) => {
                        if let Some(offload) = self.offload.as_mut() {
                            offload.gap(r, direction, length);
                        }
                    }
                }
            }
            None if !matches!(c.verdict, Verdict::Other) => {
                c.held.gap(side, length, packet);
                self.judge(connection, false);
            }
            None => {}
        }
    }

    /// What a TLS connection's records gave.
    fn tls_output(&mut self, connection: ConnectionId, out: Vec<TlsOutput>) {
        for o in out {
            match o {
                TlsOutput::Plain { side, bytes, meta } => self.data(connection, side, &bytes, meta),
                TlsOutput::Lost {
                    side,
                    length,
                    packet,
                } => self.gap(connection, side, length, packet),
                TlsOutput::Notice(n) => self.notice(n),
            }
        }
    }

    /// A connection whose first bytes are TLS records: its bytes so far go into a TLS
    /// session, whose plaintext is judged from here on. True when it is TLS.
    fn begin_tls(&mut self, connection: ConnectionId, ended: bool) -> bool {
        let Some(c) = self.connections.get_mut(&connection) else {
            return false;
        };
        if c.tls.is_some() {
            return false;
        }
        let starts = [0, 1].map(|side| c.held.start(side, 6));
        let finals = [0, 1].map(|side| c.held.start_is_final(side, ended));
        let Some(Some(client_side)) = tls::sniff([&starts[0], &starts[1]], finals, c.syn_seen)
        else {
            return false;
        };
        let mut session = Box::new(TlsSession::new(client_side, !c.syn_seen));
        let mut out = Vec::new();
        std::mem::take(&mut c.held).each(|side, event| match event {
            Ok((bytes, meta)) => session.push(side, bytes, meta, &self.keys, &mut out),
            Err((missing, packet)) => session.gap(side, missing, packet, &mut out),
        });
        if session.is_done() {
            self.quiet.push(connection);
        }
        c.tls = Some(session);
        self.tls_output(connection, out);
        true
    }

    /// Decides what a connection is, once its first bytes say.
    fn judge(&mut self, connection: ConnectionId, ended: bool) {
        if self.begin_tls(connection, ended) {
            return;
        }
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        if !matches!(c.verdict, Verdict::Undecided) {
            return;
        }
        c.verdict = match decide(&c.held, c.syn_seen, ended) {
            Verdict::MidStream { .. } if !self.options.mid_stream => {
                let [a, b] = c.ends.map(endpoint);
                self.events.push(CaptureEvent::Notice(CaptureNotice {
                    id: CaptureNoticeId::MidStream,
                    message: format!(
                        "the connection {a} - {b} began before the capture and looks like websocket frames both ways: decode it with the mid-stream option"
                    ),
                    packet: c.held.chunks.first().and_then(|(_, _, m)| m.packet),
                    offset: None,
                }));
                self.stats.mid_stream_candidates += 1;
                Verdict::Other
            }
            other => other,
        };
        match c.verdict {
            Verdict::Other => {
                c.held = Held::default();
                if let Some(tls) = c.tls.as_mut() {
                    tls.stop();
                }
                self.quiet.push(connection);
            }
            Verdict::WebSocket { client_side } | Verdict::MidStream { client_side } => {
                // From here the bytes go straight into the conversation.
                let held = std::mem::take(&mut c.held);
                c.gaps = held.gaps(client_side);
                let options = ConversationOptions {
                    max_message_size: self.options.max_message_size,
                    mid_stream: matches!(c.verdict, Verdict::MidStream { .. }),
                };
                let mut builder = Builder::keeping(options, !self.options.without_streams);
                held.replay(client_side, &c.gaps, &mut builder);
                let index = self.conversations;
                self.conversations += 1;
                #[cfg(not(target_arch = "wasm32"))]
                let decoding = match self.offload.as_mut() {
                    Some(offload) => Decoding::There(offload.open(index, builder)),
                    None => Decoding::Here(Box::new(builder)),
                };
                #[cfg(target_arch = "wasm32")]
                let decoding = Decoding::Here(Box::new(builder));
                c.builder = Some(decoding);
                c.index = Some(index);
                let (client, server) = (c.ends[client_side], c.ends[1 - client_side]);
                self.events.push(CaptureEvent::Found {
                    index,
                    client: endpoint(client),
                    server: endpoint(server),
                    start: c.start,
                });
            }
            Verdict::Undecided => {}
        }
    }

    /// A connection is over: a WebSocket conversation's result is reported, and a TLS
    /// connection's outcome.
    fn close(&mut self, c: Connection) {
        let tls = c
            .tls
            .as_ref()
            .map(|t| (t.facts(), t.outcome(), t.client_side()));
        let [a, b] = c.ends.map(endpoint);
        let websocket = match c.verdict {
            Verdict::WebSocket { client_side } => Some((client_side, false)),
            Verdict::MidStream { client_side } => Some((client_side, true)),
            _ => None,
        };
        if let (Some((client_side, mid_stream)), Some(decoding)) = (websocket, c.builder) {
            let (client, server) = if client_side == 0 { (&a, &b) } else { (&b, &a) };
            let skeleton = CaptureConversation {
                index: c.index.unwrap_or_default(),
                client: Some(client.clone()),
                server: Some(server.clone()),
                start: c.start,
                end: c.end,
                mid_stream,
                gaps: CaptureGap::from_gaps(&c.gaps),
                bytes: decoding.present(),
                tls: tls.as_ref().map(|(facts, _, _)| facts.clone()),
                result: ConversationResult::default(),
            };
            let format = self.format.unwrap_or("capture").to_string();
            match decoding {
                Decoding::Here(builder) => {
                    let mut result = builder.finish(format);
                    result.client = skeleton.client.clone();
                    result.server = skeleton.server.clone();
                    self.events
                        .push(CaptureEvent::Conversation(Box::new(CaptureConversation {
                            result,
                            ..skeleton
                        })));
                }
                #[cfg(not(target_arch = "wasm32"))]
                Decoding::There(remote) => {
                    if let Some(offload) = self.offload.as_mut() {
                        offload.close(remote, skeleton, format);
                    }
                }
            }
        }
        if let Some((facts, (status, message), client_side)) = tls {
            let (client, server) = if client_side == 0 { (a, b) } else { (b, a) };
            self.events.push(CaptureEvent::Tls(Box::new(TlsConnection {
                client,
                server,
                start: c.start,
                status,
                message,
                facts,
                conversation: c.index,
            })));
        }
    }
}

fn endpoint((address, port): SocketAddress) -> Endpoint {
    Endpoint {
        address: address.to_string(),
        port,
    }
}

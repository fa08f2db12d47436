//! `wsinspect decode capture.pcapng` (and a HAR): the WebSocket conversations in it, one
//! line each as in the page's table, then each conversation decoded; `--conversation N`
//! picks one; `--json` gives the JS API's `decodeCapture` object.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

use super::conversation::{self, Outcome};
use crate::capture::{
    CaptureConversation, CaptureError, CaptureGap, CaptureNotice, CaptureStats, TlsConnection,
    TlsFacts,
};
use crate::Direction;

/// A capture's conversations, each rendered as it closes (then let go: memory holds the
/// text, not the decoded frames), written in index order once the file is read. Natively
/// a capture file's conversations are rendered on the decoding thread that finished each
/// ([`Collector::sink`]), and those taken here on a thread of their own: reading, decoding
/// and rendering overlap.
pub struct Collector {
    rendered: Arc<Mutex<Rendered>>,
    /// The TLS connections, decrypted or not.
    tls: Vec<TlsConnection>,
    /// The rendering thread, natively, while conversations may come.
    #[cfg(not(target_arch = "wasm32"))]
    renderer: Option<Renderer>,
}

/// The rendering thread and the way to it.
#[cfg(not(target_arch = "wasm32"))]
struct Renderer {
    conversations: std::sync::mpsc::SyncSender<CaptureConversation>,
    thread: std::thread::JoinHandle<()>,
}

/// Conversations waiting for the rendering thread at most (each holds its decoded frames).
#[cfg(not(target_arch = "wasm32"))]
const RENDER_QUEUE: usize = 8;

#[cfg(not(target_arch = "wasm32"))]
impl Renderer {
    /// A thread rendering into `rendered`; `None` when no thread can be had.
    fn start(rendered: Arc<Mutex<Rendered>>) -> Option<Renderer> {
        let (conversations, receiver) = std::sync::mpsc::sync_channel(RENDER_QUEUE);
        let thread = std::thread::Builder::new()
            .name("render".into())
            .spawn(move || {
                for c in receiver {
                    // Rendering into memory cannot fail.
                    drop(lock(&rendered).take(c));
                }
            })
            .ok()?;
        Some(Renderer {
            conversations,
            thread,
        })
    }
}

fn lock(rendered: &Mutex<Rendered>) -> std::sync::MutexGuard<'_, Rendered> {
    rendered
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the conversations taken rendered to.
struct Rendered {
    only: Option<usize>,
    json: bool,
    jsonl: bool,
    /// Each conversation's table row.
    rows: Vec<(usize, [String; 9])>,
    /// Each chosen conversation's rendering.
    details: Vec<(usize, Vec<u8>)>,
    outcome: Outcome,
}

impl Collector {
    /// `only`: the one conversation to decode.
    pub fn new(only: Option<usize>, json: bool, jsonl: bool) -> Collector {
        let rendered = Arc::new(Mutex::new(Rendered {
            only,
            json,
            jsonl,
            rows: Vec::new(),
            details: Vec::new(),
            outcome: Outcome {
                violations: 0,
                head_failed: false,
            },
        }));
        Collector {
            #[cfg(not(target_arch = "wasm32"))]
            renderer: Renderer::start(Arc::clone(&rendered)),
            rendered,
            tls: Vec::new(),
        }
    }

    /// Takes a conversation: its row, and its rendering when it is chosen.
    pub fn take(&mut self, c: CaptureConversation) -> io::Result<()> {
        #[cfg(not(target_arch = "wasm32"))]
        let c = match &self.renderer {
            Some(r) => match r.conversations.send(c) {
                Ok(()) => return Ok(()),
                // The thread is gone: render here.
                Err(std::sync::mpsc::SendError(c)) => c,
            },
            None => c,
        };
        lock(&self.rendered).take(c)
    }

    /// Where a [`CaptureDecoder`](crate::capture::CaptureDecoder)'s decoding threads hand
    /// each finished conversation: rendered there, at once (the threads share the work, and
    /// a conversation's memory is freed by the thread that allocated it), then kept.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn sink(&self) -> crate::capture::ConversationSink {
        let rendered = Arc::clone(&self.rendered);
        let style = lock(&rendered).style();
        Arc::new(move |c| {
            // Rendering into memory cannot fail.
            if let Ok(taken) = style.render(c) {
                lock(&rendered).add(taken);
            }
        })
    }

    /// Waits for the rendering thread to render everything sent to it (every sink handed
    /// out must be dropped first: a decoder's is, once its `end` has returned).
    fn settle(&mut self) {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(Renderer {
            conversations,
            thread,
        }) = self.renderer.take()
        {
            drop(conversations);
            let _ = thread.join();
        }
    }

    fn lock(&mut self) -> std::sync::MutexGuard<'_, Rendered> {
        self.settle();
        lock(&self.rendered)
    }

    /// Takes a TLS connection's outcome.
    pub fn tls(&mut self, t: TlsConnection) {
        self.tls.push(t);
    }

    /// Whether a conversation of this index was taken.
    pub fn has(&mut self, index: usize) -> bool {
        self.lock().rows.iter().any(|r| r.0 == index)
    }

    /// How many conversations were taken.
    pub fn count(&mut self) -> usize {
        self.lock().rows.len()
    }

    /// Writes everything, conversations by index, with what reading the file counted.
    pub fn write(
        mut self,
        w: &mut dyn Write,
        format: &str,
        stats: &CaptureStats,
        notices: &[CaptureNotice],
        error: Option<&CaptureError>,
    ) -> io::Result<Outcome> {
        let rendered = std::mem::replace(
            &mut *self.lock(),
            Rendered {
                only: None,
                json: false,
                jsonl: false,
                rows: Vec::new(),
                details: Vec::new(),
                outcome: Outcome {
                    violations: 0,
                    head_failed: false,
                },
            },
        );
        rendered.write(w, format, stats, notices, error, &self.tls)
    }
}

/// One conversation rendered: its row, its rendering (when chosen) and what it counts.
struct Taken {
    index: usize,
    row: [String; 9],
    details: Option<Vec<u8>>,
    violations: usize,
    head_failed: bool,
}

/// What a conversation renders to: the settings of [`Rendered`], without its results.
#[derive(Clone, Copy)]
struct Style {
    only: Option<usize>,
    json: bool,
    jsonl: bool,
}

impl Style {
    /// Renders a conversation (in the thread that has it: no lock held, and its memory
    /// freed where it was allocated).
    fn render(self, c: CaptureConversation) -> io::Result<Taken> {
        let row = row(&c);
        if self.only.is_some_and(|n| c.index != n) {
            return Ok(Taken {
                index: c.index,
                row,
                details: None,
                violations: 0,
                head_failed: false,
            });
        }
        let failed = |h: &Option<crate::Handshake>| {
            h.as_ref()
                .is_some_and(|h| h.error.is_some() || h.failures().next().is_some())
        };
        let r = &c.result;
        let head_failed =
            failed(&r.request) || failed(&r.response) || r.pair_checks.iter().any(|p| !p.passed);
        let mut text = Vec::new();
        if self.json {
            conversation::write_json_with(&mut text, r, capture_members(&c))?;
        } else if self.jsonl {
            conversation::write_jsonl_with(&mut text, r, capture_members(&c))?;
        } else {
            write_details(&mut text, &c)?;
        }
        Ok(Taken {
            index: c.index,
            row,
            details: Some(text),
            violations: r.violations.len(),
            head_failed,
        })
    }
}

impl Rendered {
    fn style(&self) -> Style {
        Style {
            only: self.only,
            json: self.json,
            jsonl: self.jsonl,
        }
    }

    /// Takes a conversation: its row, and its rendering when it is chosen.
    fn take(&mut self, c: CaptureConversation) -> io::Result<()> {
        let taken = self.style().render(c)?;
        self.add(taken);
        Ok(())
    }

    fn add(&mut self, t: Taken) {
        self.rows.push((t.index, t.row));
        self.outcome.violations += t.violations;
        self.outcome.head_failed |= t.head_failed;
        if let Some(text) = t.details {
            self.details.push((t.index, text));
        }
    }

    /// Writes everything, conversations by index, with what reading the file counted.
    fn write(
        mut self,
        w: &mut dyn Write,
        format: &str,
        stats: &CaptureStats,
        notices: &[CaptureNotice],
        error: Option<&CaptureError>,
        tls: &[TlsConnection],
    ) -> io::Result<Outcome> {
        self.rows.sort_by_key(|r| r.0);
        self.details.sort_by_key(|d| d.0);
        if self.json {
            write!(w, "{{\n\"format\": {},\n", Value::from(format))?;
            w.write_all(b"\"conversations\": [")?;
            for (i, (_, text)) in self.details.iter().enumerate() {
                w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                // Each conversation's JSON ends with a newline: the array's commas follow it.
                w.write_all(text.strip_suffix(b"\n").unwrap_or(text))?;
            }
            w.write_all(b"],\n\"tls\": ")?;
            serde_json::to_writer(&mut *w, &tls.iter().map(tls_json).collect::<Vec<_>>())?;
            w.write_all(b",\n\"notices\": ")?;
            serde_json::to_writer(&mut *w, &notices.iter().map(notice).collect::<Vec<_>>())?;
            w.write_all(b",\n\"stats\": ")?;
            serde_json::to_writer(&mut *w, &stats_json(stats))?;
            w.write_all(b",\n\"error\": ")?;
            let error = error
                .map(|e| json!({"message": e.message, "offset": e.offset, "packet": e.packet}));
            serde_json::to_writer(&mut *w, &error)?;
            w.write_all(b"\n}\n")?;
        } else if self.jsonl {
            for (_, text) in &self.details {
                w.write_all(text)?;
            }
        } else {
            write_summary(w, format, stats, notices, error, &self.rows)?;
            write_tls(w, tls)?;
            for (_, text) in &self.details {
                w.write_all(text)?;
            }
            if self.only.is_some() && self.details.is_empty() {
                writeln!(w, "\nno conversation with that number")?;
            }
        }
        Ok(self.outcome)
    }
}

fn gap(g: &CaptureGap) -> Value {
    json!({"direction": g.direction.as_str(), "offset": g.offset, "length": g.length, "packet": g.packet})
}

fn notice(n: &CaptureNotice) -> Value {
    json!({"id": n.id.as_str(), "message": n.message, "packet": n.packet, "offset": n.offset})
}

fn facts_json(f: &TlsFacts) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("version".into(), json!(f.version));
    m.insert("cipherSuite".into(), json!(f.cipher_suite));
    m.insert("sni".into(), json!(f.sni));
    m.insert("alpn".into(), json!(f.alpn));
    m.insert("clientRandom".into(), json!(f.client_random));
    m
}

/// A TLS connection as the JS API's `tls` entries.
fn tls_json(t: &TlsConnection) -> Value {
    let mut m = facts_json(&t.facts);
    m.insert(
        "client".into(),
        json!({"address": t.client.address, "port": t.client.port}),
    );
    m.insert(
        "server".into(),
        json!({"address": t.server.address, "port": t.server.port}),
    );
    m.insert("start".into(), json!(t.start));
    m.insert("status".into(), t.status.as_str().into());
    m.insert("message".into(), t.message.as_str().into());
    m.insert("conversation".into(), json!(t.conversation));
    Value::Object(m)
}

/// The TLS connections, one line each: where, and what became of them.
fn write_tls(w: &mut dyn Write, tls: &[TlsConnection]) -> io::Result<()> {
    if tls.is_empty() {
        return Ok(());
    }
    writeln!(w, "\ntls connections:")?;
    for t in tls {
        let sni = t
            .facts
            .sni
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let carried = t
            .conversation
            .map(|i| format!(": conversation {i}"))
            .unwrap_or_default();
        writeln!(
            w,
            "  {} -> {}{sni}: {}{carried}",
            t.client, t.server, t.message
        )?;
    }
    Ok(())
}

fn stats_json(s: &CaptureStats) -> Value {
    json!({
        "packets": s.packets, "tcpPackets": s.tcp_packets, "udpPackets": s.udp_packets,
        "otherPackets": s.other_packets, "tcpConnections": s.tcp_connections,
        "midStreamCandidates": s.mid_stream_candidates, "bytes": s.bytes,
    })
}

/// What a capture's conversation has beyond the conversation object.
fn capture_members(c: &CaptureConversation) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("index".into(), c.index.into());
    m.insert("start".into(), json!(c.start));
    m.insert("end".into(), json!(c.end));
    m.insert("midStream".into(), c.mid_stream.into());
    m.insert("tls".into(), json!(c.tls.as_ref().map(facts_json)));
    m.insert("gaps".into(), c.gaps.iter().map(gap).collect());
    m.insert(
        "bytes".into(),
        json!({"client": c.bytes[0], "server": c.bytes[1]}),
    );
    m
}

/// `2026-12-06 23:41:05.123` (UTC) for seconds since the Unix epoch, cut to the
/// millisecond as the page's `Date` and Wireshark's clock cut it (a packet at .9365 s is
/// shown at .936, never at a moment after it).
pub fn utc(seconds: f64) -> String {
    let millis = (seconds * 1000.0).floor() as i64;
    let (days, ms) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// One line of the conversations table (the page's columns).
fn row(c: &CaptureConversation) -> [String; 9] {
    let side = |d: Direction| c.result.frames.iter().filter(|f| f.direction == d).count();
    let endpoint = |e: &Option<crate::Endpoint>| e.as_ref().map_or("-".into(), |e| e.to_string());
    [
        c.index.to_string(),
        endpoint(&c.client),
        endpoint(&c.server),
        c.start.map_or("-".into(), utc),
        match (c.start, c.end) {
            (Some(s), Some(e)) => format!("{:.3} s", e - s),
            _ => "-".into(),
        },
        format!("{}/{}", side(Direction::Client), side(Direction::Server)),
        format!("{}/{}", c.bytes[0], c.bytes[1]),
        format!(
            "{} {} {}",
            c.result.messages.len(),
            c.result.violations.len(),
            c.gaps.len()
        ),
        [
            c.tls.as_ref().map(|_| "wss".to_string()),
            c.mid_stream.then(|| "mid-stream".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" "),
    ]
}

/// The input line, the error and notices, then the conversations table.
fn write_summary(
    w: &mut dyn Write,
    format: &str,
    s: &CaptureStats,
    notices: &[CaptureNotice],
    error: Option<&CaptureError>,
    rows: &[(usize, [String; 9])],
) -> io::Result<()> {
    writeln!(
        w,
        "input: {} bytes, read as {format}: {} packets ({} tcp, {} udp, {} other), {} tcp connection(s), {} websocket conversation(s)",
        s.bytes,
        s.packets,
        s.tcp_packets,
        s.udp_packets,
        s.other_packets,
        s.tcp_connections,
        rows.len()
    )?;
    if let Some(e) = error {
        let packet = e
            .packet
            .map(|p| format!(", packet {p}"))
            .unwrap_or_default();
        writeln!(
            w,
            "error at byte {}{packet}: {} (everything before it is shown)",
            e.offset, e.message
        )?;
    }
    for n in notices {
        writeln!(w, "notice {}: {}", n.id.as_str(), n.message)?;
    }
    if rows.is_empty() {
        return Ok(());
    }
    let header = [
        "#",
        "client",
        "server",
        "start (utc)",
        "duration",
        "frames c/s",
        "bytes c/s",
        "msgs viol gaps",
        "",
    ];
    let widths: Vec<usize> = (0..9)
        .map(|i| {
            rows.iter()
                .map(|r| r.1[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |w: &mut dyn Write, cells: Vec<&str>| -> io::Result<()> {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &n)| format!("{c:<n$}"))
            .collect();
        writeln!(w, "{}", padded.join("  ").trim_end())
    };
    writeln!(w)?;
    line(w, header.to_vec())?;
    for r in rows {
        line(w, r.1.iter().map(String::as_str).collect())?;
    }
    Ok(())
}

/// One conversation decoded: its gaps, then the conversation's own table.
fn write_details(w: &mut dyn Write, c: &CaptureConversation) -> io::Result<()> {
    let endpoint = |e: &Option<crate::Endpoint>| e.as_ref().map_or("-".into(), |e| e.to_string());
    writeln!(
        w,
        "\n== conversation {}: {} -> {}",
        c.index,
        endpoint(&c.client),
        endpoint(&c.server)
    )?;
    if let Some(f) = &c.tls {
        let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        writeln!(
            w,
            "wss: {}, {}, server name {}, alpn {}, client random {}",
            text(&f.version),
            text(&f.cipher_suite),
            text(&f.sni),
            text(&f.alpn),
            text(&f.client_random)
        )?;
    }
    for g in &c.gaps {
        let packet = g
            .packet
            .map(|p| format!(" (before packet {p})"))
            .unwrap_or_default();
        writeln!(
            w,
            "gap: {} bytes of the {}'s stream missing at byte {}{packet}",
            g.length, g.direction, g.offset
        )?;
    }
    let length = (c.bytes[0] + c.bytes[1]) as usize;
    conversation::write_table(w, length, &c.result)
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0.0), "1970-01-01 00:00:00.000");
        assert_eq!(super::utc(951_782_400.5), "2000-02-29 00:00:00.500");
        assert_eq!(super::utc(1_796_600_529.629_4), "2026-12-06 23:42:09.629");
        // The recorded packet at .936504 s (tshark's frame.time_epoch): the page shows .936.
        assert_eq!(super::utc(1_796_652_211.936_504), "2026-12-07 14:03:31.936");
    }
}

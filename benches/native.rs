//! The native upper bound for `npm run bench`: the same Rust core on the same input
//! files (written by bench/run.mjs), timed like the JS peers (at least 10 warm-ups, the
//! median of at least 15 samples of 20 ms or more). Prints one JSON line: the median
//! milliseconds per call and the digest of the output, which the harness checks against
//! the wasm build's.
//!
//! ```text
//! cargo bench --bench native -- stream <file> <a0,b0,a1,b1..> <role> <extensions> <messages|validity> [chunk]
//! cargo bench --bench native -- copy|unmask|validate|accept <file>
//! cargo bench --bench native -- hex <file,file,..> [auto|hex|base64|escaped]
//! cargo bench --bench native -- inflate <file> <payloads file: lines of "connection offset length">
//! ```
//! Without arguments (as under `cargo test --all-targets`) it prints this usage and exits.

use std::hint::black_box;
use std::time::Instant;

use wsinspect::{
    accept_key, parse_bytes, unmask, validate_utf8, DecodeOptions, DecodeOutput, Decoder, Format,
    Inflater, MessageKind, Role,
};

const CHUNK: usize = 64 * 1024;
const WARMUPS: usize = 10;
const SAMPLES: usize = 15;
const MIN_SAMPLE_MS: f64 = 20.0;

/// Where outputs go: hashed for the check, only counted while timing (as in `bench/lib/digest.mjs`).
trait Sink {
    fn message(&mut self, data: &[u8], is_text: bool);
    fn value(&mut self, v: u8);
    fn text(&mut self, s: &str);
}

#[derive(Default)]
struct CountSink {
    count: u64,
    len: u64,
}

impl Sink for CountSink {
    fn message(&mut self, data: &[u8], _is_text: bool) {
        self.count += 1;
        self.len += data.len() as u64;
    }
    fn value(&mut self, _v: u8) {
        self.count += 1;
    }
    fn text(&mut self, s: &str) {
        self.count += 1;
        self.len += s.len() as u64;
    }
}

/// FNV-1a (32-bit), mixing exactly what bench/lib/digest.mjs mixes.
struct HashSink {
    count: u64,
    len: u64,
    hash: u32,
}

impl Default for HashSink {
    fn default() -> Self {
        HashSink {
            count: 0,
            len: 0,
            hash: 0x811c_9dc5,
        }
    }
}

fn fnv(h: u32, b: u8) -> u32 {
    (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
}

impl Sink for HashSink {
    fn message(&mut self, data: &[u8], is_text: bool) {
        self.count += 1;
        self.len += data.len() as u64;
        let mut h = fnv(self.hash, if is_text { 1 } else { 2 });
        for &b in data {
            h = fnv(h, b);
        }
        self.hash = h;
    }
    fn value(&mut self, v: u8) {
        self.count += 1;
        self.hash = fnv(self.hash, v);
    }
    fn text(&mut self, s: &str) {
        // `bench/lib/digest.mjs` mixes each UTF-16 code unit's low byte; the texts hashed here are ASCII.
        self.count += 1;
        self.len += s.len() as u64;
        for &b in s.as_bytes() {
            self.hash = fnv(self.hash, b);
        }
    }
}

/// One call of a workload: processes input `k`, output to the sink.
type Call = Box<dyn FnMut(&mut dyn Sink, usize)>;

/// One workload: `run(sink, k)` processes input `k` of `calls`.
struct Work {
    calls: usize,
    /// Whether the output is compared with the wasm build's (phases are not).
    checked: bool,
    run: Call,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.is_empty() {
        println!("usage: native <stream|copy|unmask|hex|validate|accept|inflate> <file> ...");
        return;
    }
    let mut work = match workload(&args) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("native: {e}");
            std::process::exit(2);
        }
    };
    let digest = if work.checked {
        let mut sink = HashSink::default();
        for k in 0..work.calls {
            (work.run)(&mut sink, k);
        }
        format!(
            "{{\"count\":{},\"len\":{},\"hash\":{}}}",
            sink.count, sink.len, sink.hash
        )
    } else {
        "null".to_string()
    };
    let (ms, n) = sample(&mut work);
    println!("{{\"ms\":{ms},\"callsPerSample\":{n},\"samples\":{SAMPLES},\"digest\":{digest}}}");
}

fn time_calls(work: &mut Work, n: usize, k: &mut usize) -> f64 {
    let mut sink = CountSink::default();
    let start = Instant::now();
    for _ in 0..n {
        (work.run)(&mut sink, *k % work.calls);
        *k += 1;
    }
    black_box(&sink);
    start.elapsed().as_secs_f64() * 1e3
}

/// Median milliseconds per call, and the calls per sample.
fn sample(work: &mut Work) -> (f64, usize) {
    let mut k = 0;
    let mut warm = Vec::new();
    for _ in 0..WARMUPS {
        warm.push(time_calls(work, 1, &mut k));
    }
    let one = median(&mut warm[WARMUPS - 3..].to_vec()).max(1e-6);
    let mut n = ((MIN_SAMPLE_MS * 1.1) / one).ceil().max(1.0) as usize;
    let mut per_call = Vec::new();
    for _ in 0..SAMPLES {
        let mut t = time_calls(work, n, &mut k);
        while t < MIN_SAMPLE_MS {
            n *= 2;
            t = time_calls(work, n, &mut k);
        }
        per_call.push(t / n as f64);
    }
    (median(&mut per_call), n)
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn arg<'a>(args: &'a [String], i: usize, what: &str) -> Result<&'a str, String> {
    args.get(i)
        .map(String::as_str)
        .ok_or_else(|| format!("missing {what}"))
}

fn numbers(list: &str) -> Result<Vec<usize>, String> {
    list.split([',', ' ', '\n'])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("not a number: {s}")))
        .collect()
}

fn workload(args: &[String]) -> Result<Work, String> {
    if args[0] == "hex" {
        return hex(args);
    }
    let file = read(arg(args, 1, "input file")?)?;
    match args[0].as_str() {
        "stream" => stream(args, file),
        "copy" => {
            let mut dest = vec![0u8; CHUNK];
            Ok(Work {
                calls: 1,
                checked: false,
                run: Box::new(move |sink, _| {
                    for chunk in file.chunks(CHUNK) {
                        dest[..chunk.len()].copy_from_slice(black_box(chunk));
                        black_box(&mut dest);
                    }
                    sink.value(dest[0]);
                }),
            })
        }
        "unmask" => {
            let mut buf = file;
            Ok(Work {
                calls: 1,
                checked: false,
                run: Box::new(move |sink, _| {
                    for piece in buf.chunks_mut(CHUNK) {
                        unmask(black_box(piece), [0x37, 0xfa, 0x21, 0x3d], 0);
                    }
                    sink.value(buf[0]);
                }),
            })
        }
        "validate" => Ok(Work {
            calls: 1,
            checked: false,
            run: Box::new(move |sink, _| sink.value(u8::from(validate_utf8(&file).is_ok()))),
        }),
        "accept" => {
            let text = String::from_utf8(file).map_err(|_| "keys are not UTF-8")?;
            let keys: Vec<String> = text.lines().map(str::to_string).collect();
            Ok(Work {
                calls: 1,
                checked: true,
                run: Box::new(move |sink, _| {
                    for key in &keys {
                        sink.text(&accept_key(key));
                    }
                }),
            })
        }
        "inflate" => {
            // Lines of "connection offset length": a fresh Inflater per connection (call).
            let list = String::from_utf8(read(arg(args, 2, "payloads file")?)?)
                .map_err(|_| "payloads file is not UTF-8")?;
            let mut connections: Vec<Vec<(usize, usize)>> = Vec::new();
            for line in numbers(&list)?.chunks_exact(3) {
                if line[1] + line[2] > file.len() {
                    return Err("payload outside the file".to_string());
                }
                if connections.len() <= line[0] {
                    connections.resize(line[0] + 1, Vec::new());
                }
                connections[line[0]].push((line[1], line[2]));
            }
            Ok(Work {
                calls: connections.len().max(1),
                checked: false,
                run: Box::new(move |sink, k| {
                    let mut inflater = Inflater::new(false);
                    for &(offset, len) in connections.get(k).into_iter().flatten() {
                        let mut out = Vec::new();
                        let payload = &file[offset..offset + len];
                        inflater.inflate(payload, &mut out, None).expect("inflate");
                        inflater.finish_message(&mut out, None).expect("inflate");
                        sink.message(&out, true);
                    }
                }),
            })
        }
        other => Err(format!("unknown workload {other}")),
    }
}

/// parse_bytes on each piece (comma-separated files): call k parses piece k, as hex
/// unless another format is named.
fn hex(args: &[String]) -> Result<Work, String> {
    let format = match args.get(2) {
        Some(name) => Format::from_name(name).ok_or("bad format")?,
        None => Format::Hex,
    };
    let texts = arg(args, 1, "hex files")?
        .split(',')
        .map(|f| String::from_utf8(read(f)?).map_err(|_| format!("{f} is not UTF-8")))
        .collect::<Result<Vec<String>, String>>()?;
    Ok(Work {
        calls: texts.len(),
        checked: true,
        run: Box::new(move |sink, k| match parse_bytes(&texts[k], format) {
            Ok(parsed) => sink.message(&parsed.bytes, false),
            Err(e) => panic!("parse_bytes: {e}"),
        }),
    })
}

/// A Decoder per slice, fed `chunk`-sized pieces (0: the whole slice at once), then ended.
fn stream(args: &[String], file: Vec<u8>) -> Result<Work, String> {
    let bounds = numbers(arg(args, 2, "slice offsets")?)?;
    let slices: Vec<(usize, usize)> = bounds.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    if slices.is_empty() || slices.iter().any(|&(a, b)| a > b || b > file.len()) {
        return Err("bad slice offsets".to_string());
    }
    let role = Role::from_name(arg(args, 3, "role")?).ok_or("bad role")?;
    let extensions = args.get(4).filter(|e| !e.is_empty()).map(|e| e.to_string());
    let validity = match args.get(5).map(String::as_str) {
        None | Some("messages") => false,
        Some("validity") => true,
        Some(other) => return Err(format!("unknown output mode {other}")),
    };
    let chunk = match args.get(6) {
        None => CHUNK,
        Some(c) => c.parse::<usize>().map_err(|_| "bad chunk size")?,
    };
    let options = DecodeOptions {
        role,
        extensions,
        ..Default::default()
    };
    Decoder::new(options.clone()).map_err(|e| format!("decoder options: {e}"))?;
    let emit = move |out: &DecodeOutput, sink: &mut dyn Sink| {
        if let Some(v) = out.violations.first() {
            eprintln!("native: violation {v}");
            std::process::exit(1);
        }
        // With no violation (checked above), a text message is valid UTF-8: the decoder
        // checked it, and checking again (m.text()) is work the JS rows do not do either
        // (bench/lib/stream-peers.mjs, bench/workloads/utf8.mjs).
        for m in &out.messages {
            let is_text = m.kind == MessageKind::Text;
            if validity {
                sink.value(u8::from(is_text && !m.data.is_empty()));
            } else {
                sink.message(&m.data, is_text);
            }
        }
    };
    Ok(Work {
        calls: slices.len(),
        checked: true,
        run: Box::new(move |sink, k| {
            let (a, b) = slices[k];
            let mut decoder = Decoder::new(options.clone()).expect("options checked above");
            let bytes = &file[a..b];
            let size = if chunk == 0 {
                bytes.len().max(1)
            } else {
                chunk
            };
            // One output reused from push to push, as a long-lived reader would.
            let mut out = DecodeOutput::default();
            for piece in bytes.chunks(size) {
                decoder.push_into(piece, &mut out);
                emit(&out, sink);
            }
            emit(&decoder.end(), sink);
        }),
    })
}

//! Property: streams built with `encode_frame` decode back to the same
//! frames (every field and span), the same messages (inflated where compressed) and
//! exactly the violations broken on purpose, at their offsets; in one shot, in random
//! splits and, for a subset, one byte at a time. A cut stream reports its tail as
//! incomplete, at the cut frame's offset, with the bytes it still needs.

mod common;

use common::{decode_chunks, violation_triples, Rng};
use wsinspect::deflate::Deflater;
use wsinspect::encode::{
    encode_close_payload, encode_frame, encode_hixie_close, encode_hixie_length_prefixed,
    encode_hixie_text, FrameSpec, LengthField as Forced,
};
use wsinspect::{
    decode, DecodeOptions, DecodeOutput, Frame, FrameKind, LengthEncoding, MessageKind, Protocol,
    Role, ViolationId as V,
};

const CASES: usize = 10_000;
const LARGE: u64 = 70_000;

/// Negotiated values a response may carry (RFC 7692 §7.1).
const EXTENSIONS: [&str; 5] = [
    "permessage-deflate",
    "permessage-deflate; server_no_context_takeover",
    "permessage-deflate; client_no_context_takeover",
    "permessage-deflate; client_max_window_bits=15; server_no_context_takeover; client_no_context_takeover",
    "permessage-deflate; server_max_window_bits=15",
];

/// Text is built from these: ASCII, 2-, 3- and 4-byte characters, and runs that compress.
const PIECES: [&str; 8] = [
    "a",
    "hello ",
    "é",
    "€",
    "😀",
    " ",
    "κόσμε",
    "the quick brown fox ",
];

/// Close codes that may be sent (RFC 6455 §7.4.1, §7.4.2).
const CLOSE_CODES: [u16; 7] = [1000, 1001, 1003, 1011, 1014, 3000, 4999];

/// One frame as built, with what the decoder must report about it.
struct Planned {
    spec: FrameSpec,
    /// The payload as it travels: compressed if the message is, never masked.
    wire: Vec<u8>,
    offset: u64,
    length: u64,
    header_length: u64,
    encoding: LengthEncoding,
    /// Bytes before the masking key (2, 4 or 10): the total is known from them.
    length_known_at: u64,
}

struct PlannedMessage {
    kind: MessageKind,
    data: Vec<u8>,
    frames: Vec<usize>,
    offset: u64,
    compressed: bool,
    wire_length: u64,
}

struct Case {
    options: DecodeOptions,
    /// The sender is a client (its frames must be masked).
    client: bool,
    pmd: bool,
    /// This direction's sender declared no context takeover.
    no_context_takeover: bool,
    frames: Vec<Planned>,
    messages: Vec<PlannedMessage>,
    /// (id, offset, frame index), in stream order.
    violations: Vec<(V, u64, Option<usize>)>,
    bytes: Vec<u8>,
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.below(items.len() as u64) as usize]
}

fn chance(rng: &mut Rng, one_in: u64) -> bool {
    rng.below(one_in) == 0
}

fn rank(e: Forced) -> u8 {
    match e {
        Forced::Bits7 => 0,
        Forced::Bits16 => 1,
        Forced::Bits64 => 2,
    }
}

/// RFC 6455 §5.2: 7-bit up to 125, 16-bit up to 65535, 64-bit beyond.
fn minimal(length: u64) -> Forced {
    if length <= 125 {
        Forced::Bits7
    } else if length <= 0xFFFF {
        Forced::Bits16
    } else {
        Forced::Bits64
    }
}

impl Case {
    fn new(rng: &mut Rng) -> Case {
        let role = pick(rng, &[Role::Client, Role::Server, Role::Auto]);
        let client = match role {
            Role::Client => true,
            Role::Server => false,
            _ => chance(rng, 2),
        };
        let extensions = (!chance(rng, 3)).then(|| pick(rng, &EXTENSIONS));
        // RFC 7692 §7.2.2: a client's messages use the client_* parameters.
        let own = if client {
            "client_no_context_takeover"
        } else {
            "server_no_context_takeover"
        };
        Case {
            options: DecodeOptions {
                role,
                extensions: extensions.map(str::to_string),
                ..Default::default()
            },
            client,
            pmd: extensions.is_some(),
            no_context_takeover: extensions.is_some_and(|e| e.contains(own)),
            frames: Vec::new(),
            messages: Vec::new(),
            violations: Vec::new(),
            bytes: Vec::new(),
        }
    }

    /// Encodes `spec` (whose payload travels as `wire`) at the end of the stream and
    /// records the header rules it breaks.
    fn push(&mut self, spec: FrameSpec, wire: Vec<u8>) -> usize {
        let index = self.frames.len();
        let offset = self.bytes.len() as u64;
        let bytes = encode_frame(&spec);
        let length = wire.len() as u64;
        // A forced encoding too narrow for the length is widened to the minimal one.
        let forced = spec.length_field.unwrap_or(Forced::Bits7);
        let encoding = if rank(forced) >= rank(minimal(length)) {
            forced
        } else {
            minimal(length)
        };
        let (encoding, extended) = match encoding {
            Forced::Bits7 => (LengthEncoding::Bits7, 0),
            Forced::Bits16 => (LengthEncoding::Bits16, 2),
            Forced::Bits64 => (LengthEncoding::Bits64, 8),
        };
        let masked = spec.masking_key.is_some();
        let header_length = 2 + extended + if masked { 4 } else { 0 };
        assert_eq!(bytes.len() as u64, header_length + length, "frame {index}");

        let opcode = spec.opcode & 0x0F;
        let control = opcode >= 8;
        let rsv1 = spec.rsv1 || spec.compress;
        let at = Some(index);
        let mut broken = Vec::new();
        if (rsv1 && !self.pmd) || spec.rsv2 || spec.rsv3 {
            broken.push((V::ReservedBits, offset, at));
        }
        if rsv1 && self.pmd && (control || opcode == 0) {
            broken.push((V::InvalidRsv1, offset, at));
        }
        if matches!(opcode, 3..=7 | 0xB..=0xF) {
            broken.push((V::ReservedOpcode, offset, at));
        }
        if self.client && !masked {
            broken.push((V::UnmaskedClientFrame, offset + 1, at));
        }
        if !self.client && masked {
            broken.push((V::MaskedServerFrame, offset + 1, at));
        }
        if encoding != frame_encoding(minimal(length)) {
            broken.push((V::NonMinimalLength, offset + 2, at));
        }
        self.violations.extend(broken);
        self.frames.push(Planned {
            spec,
            wire,
            offset,
            length: header_length + length,
            header_length,
            encoding,
            length_known_at: 2 + extended,
        });
        self.bytes.extend_from_slice(&bytes);
        index
    }

    /// The knobs every frame may turn: reserved bits, a forced length encoding, a mask
    /// where there should be none (or none where there should be one).
    fn spec(&mut self, rng: &mut Rng, opcode: u8, fin: bool, payload: Vec<u8>) -> FrameSpec {
        let mut masked = self.client;
        // Under role auto the first frame decides the role: flip only later ones.
        let may_flip = self.options.role != Role::Auto || !self.frames.is_empty();
        if may_flip && chance(rng, 40) {
            masked = !masked;
        }
        FrameSpec {
            fin,
            rsv1: chance(rng, 60),
            rsv2: chance(rng, 40),
            rsv3: chance(rng, 40),
            opcode,
            masking_key: masked.then(|| (rng.next() as u32).to_be_bytes()),
            payload,
            length_field: if chance(rng, 6) {
                Some(pick(rng, &[Forced::Bits7, Forced::Bits16, Forced::Bits64]))
            } else {
                None
            },
            declared_length: None,
            compress: false,
        }
    }

    /// A ping, a pong, or (rarely) a frame with a reserved opcode: fin set, at most 125
    /// bytes, so it breaks no rule but the ones chosen.
    fn control(&mut self, rng: &mut Rng) {
        let opcode = if chance(rng, 10) {
            pick(rng, &[3u8, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
        } else {
            pick(rng, &[0x9u8, 0xA])
        };
        let payload = {
            let n = rng.below(126) as usize;
            random_bytes(rng, n)
        };
        let mut spec = self.spec(rng, opcode, true, payload.clone());
        // rsv1 on a control frame under permessage-deflate is its own rule: keep it rare.
        spec.rsv1 &= chance(rng, 2);
        self.push(spec, payload);
    }

    /// A data message: maybe compressed, split into fragments with control frames
    /// between them.
    fn message(&mut self, rng: &mut Rng, deflater: &mut Option<Deflater>) {
        let kind = pick(rng, &[MessageKind::Text, MessageKind::Binary]);
        let length = if chance(rng, 50) {
            126 + rng.below(LARGE - 126 + 1) as usize
        } else {
            rng.below(301) as usize
        };
        let data = match kind {
            MessageKind::Text => random_text(rng, length),
            MessageKind::Binary if chance(rng, 2) => random_bytes(rng, length),
            MessageKind::Binary => random_text(rng, length),
        };
        let compressed = self.pmd && !chance(rng, 3);
        let fragments = if chance(rng, 2) {
            1
        } else {
            1 + rng.below(4) as usize
        };
        let opcode = match kind {
            MessageKind::Text => 0x1,
            MessageKind::Binary => 0x2,
        };
        let message_offset = self.bytes.len() as u64;
        let mut frames = Vec::new();
        let mut wire_length = 0;

        if compressed && fragments == 1 && self.no_context_takeover && chance(rng, 2) {
            // encode_frame compresses with a fresh window itself: right only when this
            // direction starts every message with an empty window anyway.
            let mut spec = self.spec(rng, opcode, true, data.clone());
            spec.compress = true;
            spec.rsv1 = false;
            let wire = Deflater::new(false).compress_message(&data);
            wire_length = wire.len() as u64;
            frames.push(self.push(spec, wire));
        } else {
            let wire = if compressed {
                let nct = self.no_context_takeover;
                deflater
                    .get_or_insert_with(|| Deflater::new(nct))
                    .compress_message(&data)
            } else {
                data.clone()
            };
            let mut cuts: Vec<usize> = (1..fragments)
                .map(|_| rng.below(wire.len() as u64 + 1) as usize)
                .collect();
            cuts.sort_unstable();
            cuts.insert(0, 0);
            cuts.push(wire.len());
            for (i, pair) in cuts.windows(2).enumerate() {
                if i > 0 && chance(rng, 4) {
                    self.control(rng);
                }
                let piece = wire[pair[0]..pair[1]].to_vec();
                let first = i == 0;
                let fin = i + 2 == cuts.len();
                let mut spec = self.spec(rng, if first { opcode } else { 0x0 }, fin, piece.clone());
                if first {
                    // RFC 7692 §6: RSV1 on the first frame marks the message compressed;
                    // without the extension a set RSV1 is just a reserved bit.
                    spec.rsv1 = if self.pmd { compressed } else { spec.rsv1 };
                } else if self.pmd {
                    spec.rsv1 &= chance(rng, 2);
                }
                wire_length += piece.len() as u64;
                frames.push(self.push(spec, piece));
            }
        }
        self.messages.push(PlannedMessage {
            kind,
            data,
            frames,
            offset: message_offset,
            compressed,
            wire_length,
        });
    }

    fn close(&mut self, rng: &mut Rng) {
        let payload = if chance(rng, 5) {
            Vec::new()
        } else {
            let mut reason = {
                let n = rng.below(100) as usize;
                random_text(rng, n)
            };
            reason.truncate(100);
            let reason = String::from_utf8_lossy(&reason)
                .trim_end_matches('\u{FFFD}')
                .to_string();
            encode_close_payload(pick(rng, &CLOSE_CODES), &reason)
        };
        let spec = self.spec(rng, 0x8, true, payload.clone());
        self.push(spec, payload);
    }
}

fn frame_encoding(e: Forced) -> LengthEncoding {
    match e {
        Forced::Bits7 => LengthEncoding::Bits7,
        Forced::Bits16 => LengthEncoding::Bits16,
        Forced::Bits64 => LengthEncoding::Bits64,
    }
}

fn random_bytes(rng: &mut Rng, length: usize) -> Vec<u8> {
    (0..length).map(|_| rng.next() as u8).collect()
}

fn random_text(rng: &mut Rng, length: usize) -> Vec<u8> {
    let mut text = String::new();
    while text.len() < length {
        text.push_str(pick(rng, &PIECES));
    }
    text.into_bytes()
}

fn kind_of(opcode: u8) -> FrameKind {
    match opcode {
        0x0 => FrameKind::Continuation,
        0x1 => FrameKind::Text,
        0x2 => FrameKind::Binary,
        0x8 => FrameKind::Close,
        0x9 => FrameKind::Ping,
        0xA => FrameKind::Pong,
        _ => FrameKind::Reserved,
    }
}

/// Every field of a decoded frame against the frame as built.
fn check_frame(got: &Frame, want: &Planned, index: usize, case: usize) {
    let spec = &want.spec;
    let at = format!("case {case}, frame {index}");
    assert_eq!(got.index, index, "{at}");
    assert_eq!(
        (got.offset, got.header_length, got.length),
        (want.offset, want.header_length, want.length),
        "{at}"
    );
    assert_eq!(
        (got.fin, got.rsv1, got.rsv2, got.rsv3),
        (spec.fin, spec.rsv1 || spec.compress, spec.rsv2, spec.rsv3),
        "{at}"
    );
    assert_eq!(got.opcode, spec.opcode & 0x0F, "{at}");
    assert_eq!(got.kind, kind_of(spec.opcode & 0x0F), "{at}");
    assert_eq!(
        (got.masked, got.masking_key),
        (spec.masking_key.is_some(), spec.masking_key),
        "{at}"
    );
    assert_eq!(got.payload_len, want.wire.len() as u64, "{at}");
    assert_eq!(got.length_encoding, want.encoding, "{at}");
    assert_eq!(got.payload_offset, want.offset + want.header_length, "{at}");
    assert!(got.payload == want.wire, "{at}: payload differs");

    // The spans: the header byte fields, then the extended length, key and payload.
    let fields = got.fields();
    let span = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| (f.offset, f.length))
    };
    assert_eq!(span("opcode"), Some((want.offset, 1)), "{at}");
    assert_eq!(span("payload_len"), Some((want.offset + 1, 1)), "{at}");
    let extended = want.length_known_at - 2;
    assert_eq!(
        span("extended_payload_len"),
        (extended > 0).then_some((want.offset + 2, extended)),
        "{at}"
    );
    assert_eq!(
        span("masking_key"),
        spec.masking_key
            .map(|_| (want.offset + want.length_known_at, 4)),
        "{at}"
    );
    let payload = want.wire.len() as u64;
    assert_eq!(
        span("payload"),
        (payload > 0).then_some((got.payload_offset, payload)),
        "{at}"
    );

    if got.kind == FrameKind::Close {
        match &want.wire[..] {
            [] => assert_eq!((got.close_code, got.close_reason.as_deref()), (None, None)),
            [hi, lo, reason @ ..] => {
                assert_eq!(got.close_code, Some(u16::from_be_bytes([*hi, *lo])), "{at}");
                assert_eq!(
                    got.close_reason.as_deref().map(str::as_bytes),
                    Some(reason),
                    "{at}"
                );
                assert!(got.close_code_name.is_some(), "{at}");
            }
            _ => unreachable!("close payloads are built empty or with a code"),
        }
    } else {
        assert_eq!(got.close_code, None, "{at}");
    }
}

fn check_whole(out: &DecodeOutput, c: &Case, case: usize) {
    assert_eq!(out.frames.len(), c.frames.len(), "case {case}");
    for (i, (got, want)) in out.frames.iter().zip(&c.frames).enumerate() {
        check_frame(got, want, i, case);
    }
    assert_eq!(out.messages.len(), c.messages.len(), "case {case}");
    for (i, (got, want)) in out.messages.iter().zip(&c.messages).enumerate() {
        let at = format!("case {case}, message {i}");
        assert_eq!(got.index, i, "{at}");
        assert_eq!(got.kind, want.kind, "{at}");
        assert_eq!(got.frames, want.frames, "{at}");
        assert_eq!(
            (got.offset, got.compressed, got.wire_length, got.complete),
            (want.offset, want.compressed, want.wire_length, true),
            "{at}"
        );
        assert!(
            got.data == want.data,
            "{at}: {} bytes came back as {}",
            want.data.len(),
            got.data.len()
        );
        let text =
            (want.kind == MessageKind::Text).then(|| String::from_utf8(want.data.clone()).unwrap());
        assert_eq!(got.text(), text.as_deref(), "{at}");
    }
    assert!(
        out.incomplete.is_none(),
        "case {case}: {:?}",
        out.incomplete
    );
}

/// A stream cut at `cut`: the frames before the cut come back whole, the cut frame is
/// the incomplete tail, messages finished before it are intact and an open one is
/// reported unfinished.
fn check_cut(out: &DecodeOutput, c: &Case, cut: u64, case: usize) {
    let whole = c
        .frames
        .iter()
        .take_while(|f| f.offset + f.length <= cut)
        .count();
    assert_eq!(out.frames.len(), whole, "case {case}, cut at {cut}");
    for (i, (got, want)) in out.frames.iter().zip(&c.frames).enumerate() {
        check_frame(got, want, i, case);
    }
    match c.frames.get(whole).filter(|f| f.offset < cut) {
        None => assert_eq!(out.incomplete, None, "case {case}, cut at {cut}"),
        Some(f) => {
            let tail = out.incomplete.as_ref().expect("a cut frame is incomplete");
            let have = cut - f.offset;
            assert_eq!(
                (tail.offset, tail.have),
                (f.offset, have),
                "case {case}, cut at {cut}"
            );
            let header_done = have >= f.header_length;
            assert_eq!(tail.frame, header_done.then_some(whole), "case {case}");
            let needed = (have >= f.length_known_at).then_some(f.length - have);
            assert_eq!(tail.needed, needed, "case {case}, cut at {cut}");
            assert!(tail.min_needed >= 1 && needed.is_none_or(|n| n == tail.min_needed));
            // The cut frame stays readable as far as it came.
            match &tail.partial {
                None => assert!(!header_done, "case {case}: no partial frame"),
                Some(p) => {
                    assert!(header_done, "case {case}");
                    let present = (have - f.header_length) as usize;
                    assert_eq!((p.index, p.offset, p.length), (whole, f.offset, have));
                    assert_eq!((p.fin, p.opcode), (f.spec.fin, f.spec.opcode & 0x0F));
                    assert_eq!(p.masking_key, f.spec.masking_key, "case {case}");
                    assert_eq!(p.payload_len, f.wire.len() as u64, "case {case}");
                    assert!(p.payload == f.wire[..present], "case {case}");
                }
            }
        }
    }
    // Header rules are judged as soon as a header is complete.
    let judged = |frame: Option<usize>| {
        frame.is_some_and(|i| cut >= c.frames[i].offset + c.frames[i].header_length)
    };
    let expected: Vec<_> = c.violations.iter().filter(|v| judged(v.2)).collect();
    let got: Vec<_> = violation_triples(out);
    assert_eq!(
        got.iter().collect::<Vec<_>>(),
        expected,
        "case {case}, cut at {cut}"
    );
    let finished = c
        .messages
        .iter()
        .take_while(|m| m.frames.last().is_some_and(|&last| last < whole))
        .count();
    assert!(out.messages.len() <= finished + 1, "case {case}");
    for (got, want) in out.messages.iter().zip(&c.messages[..finished]) {
        assert!(got.complete && got.data == want.data, "case {case}");
    }
    if let Some(open) = out.messages.get(finished) {
        assert!(!open.complete, "case {case}");
        let want = &c.messages[finished];
        let arrived: Vec<usize> = want.frames.iter().copied().filter(|&i| i < whole).collect();
        assert_eq!(open.frames, arrived, "case {case}");
        if !want.compressed {
            let data: Vec<u8> = arrived
                .iter()
                .flat_map(|&i| c.frames[i].wire.clone())
                .collect();
            assert!(open.data == data, "case {case}");
        }
    }
}

/// Random chunk sizes from 1 to a third of the stream (at least 1).
fn random_chunks<'a>(rng: &mut Rng, bytes: &'a [u8]) -> Vec<&'a [u8]> {
    let most = (bytes.len() as u64 / 3).max(1);
    let mut chunks = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let size = (1 + rng.below(most) as usize).min(rest.len());
        let (a, b) = rest.split_at(size);
        chunks.push(a);
        rest = b;
    }
    chunks
}

#[test]
fn encoded_streams_decode_back_in_any_split() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut frames, mut compressed, mut bytewise, mut cuts) = (0, 0, 0, 0);
    for case in 0..CASES {
        let mut c = Case::new(&mut rng);
        // This direction's compressor, made when first needed (it is not cheap).
        let mut deflater = None;
        for _ in 0..1 + rng.below(4) {
            if chance(&mut rng, 4) {
                c.control(&mut rng);
            }
            c.message(&mut rng, &mut deflater);
        }
        if chance(&mut rng, 3) {
            c.close(&mut rng);
        }
        frames += c.frames.len();
        compressed += c.messages.iter().filter(|m| m.compressed).count();

        let cut = chance(&mut rng, 10).then(|| rng.below(c.bytes.len() as u64) as usize);
        let bytes = &c.bytes[..cut.unwrap_or(c.bytes.len())];
        let whole = decode(bytes, c.options.clone()).unwrap();
        match cut {
            None => {
                check_whole(&whole, &c, case);
                let got: Vec<_> = violation_triples(&whole);
                assert_eq!(got, c.violations, "case {case}");
            }
            Some(cut) => {
                cuts += 1;
                check_cut(&whole, &c, cut as u64, case);
            }
        }
        let role = match (c.client, cut) {
            // Role auto is decided once the first header is complete.
            (_, Some(cut)) if (cut as u64) < c.frames[0].header_length => c.options.role,
            (true, _) => Role::Client,
            (false, _) => Role::Server,
        };
        assert_eq!(whole.role, role, "case {case}");

        let chunks = random_chunks(&mut rng, bytes);
        assert_eq!(decode_chunks(chunks, &c.options), whole, "case {case}");
        let split = rng.below(bytes.len() as u64 + 1) as usize;
        let (a, b) = bytes.split_at(split);
        assert_eq!(decode_chunks([a, b], &c.options), whole, "case {case}");
        if case % 8 == 0 && bytes.len() <= 4096 {
            bytewise += 1;
            assert_eq!(
                decode_chunks(bytes.chunks(1), &c.options),
                whole,
                "case {case}: one byte at a time"
            );
        }
    }
    // The mix is what the test claims to cover.
    assert!(frames > 3 * CASES, "{frames} frames");
    assert!(compressed > CASES / 2, "{compressed} compressed messages");
    assert!(bytewise > CASES / 10, "{bytewise} streams fed byte by byte");
    assert!(cuts > CASES / 20, "{cuts} cut streams");
}

#[test]
fn hixie_frames_decode_back() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    for case in 0..1000 {
        let mut bytes = Vec::new();
        let mut texts = Vec::new();
        let mut binary = Vec::new();
        for _ in 0..1 + rng.below(5) {
            if chance(&mut rng, 4) {
                let data = {
                    let n = rng.below(300) as usize;
                    random_bytes(&mut rng, n)
                };
                bytes.extend(encode_hixie_length_prefixed(0x80, &data));
                binary.push(data);
            } else {
                let text = {
                    let n = rng.below(200) as usize;
                    random_text(&mut rng, n)
                };
                let text = String::from_utf8(text).unwrap();
                bytes.extend(encode_hixie_text(&text));
                texts.push(text);
            }
        }
        let closed = chance(&mut rng, 2);
        if closed {
            bytes.extend(encode_hixie_close());
        }
        let options = DecodeOptions {
            protocol: Protocol::Hixie76,
            ..Default::default()
        };
        let out = decode(&bytes, options.clone()).unwrap();
        let got: Vec<_> = out
            .messages
            .iter()
            .map(|m| m.text().unwrap().to_owned())
            .collect();
        assert_eq!(got, texts, "case {case}");
        let payloads: Vec<_> = out
            .frames
            .iter()
            .filter(|f| f.length_encoding == LengthEncoding::HixieLength && f.opcode == 0x80)
            .map(|f| f.payload.clone())
            .collect();
        assert_eq!(payloads, binary, "case {case}");
        assert_eq!(
            out.frames.last().map(|f| f.kind == FrameKind::Close),
            Some(closed),
            "case {case}"
        );
        let mut at = 0;
        for frame in &out.frames {
            assert_eq!(frame.offset, at, "case {case}");
            at += frame.length;
        }
        assert_eq!(at, bytes.len() as u64, "case {case}");
        assert!(out.incomplete.is_none(), "case {case}");
        let chunks = random_chunks(&mut rng, &bytes);
        assert_eq!(decode_chunks(chunks, &options), out, "case {case}");
    }
}

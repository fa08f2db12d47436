//! The stream decoder on arbitrary bytes under options chosen by the first bytes: it
//! must never panic; pushing the stream in random chunks (empty ones included) must give
//! exactly the one-shot decode; frames must tile the stream up to the incomplete tail;
//! and no offset or span may point past the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{
    decode, DecodeOptions, DecodeOutput, Decoder, NoticeId, Protocol, Role, ViolationId,
    FLASH_POLICY_REQUEST,
};

const EXTENSIONS: [Option<&str>; 8] = [
    None,
    Some("permessage-deflate"),
    Some("permessage-deflate; server_no_context_takeover"),
    Some("permessage-deflate; client_no_context_takeover"),
    Some("permessage-deflate; client_max_window_bits=9"),
    Some("permessage-deflate; server_max_window_bits=8"),
    Some("x-webkit-deflate-frame"),
    Some("permessage-deflate, x-unknown"),
];

fuzz_target!(|data: &[u8]| {
    let [modes, extension, max, seed, bytes @ ..] = data else {
        return;
    };
    let options = DecodeOptions {
        role: [Role::Client, Role::Server, Role::Auto][usize::from(modes % 3)],
        protocol: [Protocol::Rfc6455, Protocol::Hixie76, Protocol::Auto][usize::from(modes / 3 % 3)],
        extensions: EXTENSIONS[usize::from(extension % 8)].map(str::to_string),
        max_message_size: (max & 0x80 != 0).then(|| u64::from(max & 0x7F) * 3),
        // Permessage-deflate taken as agreed from the first RSV1 frame (no response seen).
        assume_deflate: modes / 9 % 2 == 1,
    };
    let max = options.max_message_size;
    let whole = decode(bytes, options.clone()).expect("the extension values are all valid");
    check_offsets(&whole, bytes, max);

    // Chunk sizes from a xorshift seeded by the fourth byte: 0 (an empty push) to 64.
    let mut state = u64::from(*seed) << 32 | 0x9E37_79B9;
    let mut decoder = Decoder::new(options).unwrap();
    let mut pushed = DecodeOutput::default();
    let mut rest = bytes;
    loop {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let size = (state % 65) as usize;
        let (chunk, after) = rest.split_at(size.min(rest.len()));
        pushed.append(decoder.push(chunk));
        rest = after;
        if rest.is_empty() {
            break;
        }
    }
    pushed.append(decoder.end());
    assert_eq!(pushed, whole, "pushed in chunks differs from one shot");
    // A decoder that has ended takes no more.
    assert_eq!(decoder.push(bytes).frames.len(), 0);
});

fn check_offsets(out: &DecodeOutput, bytes: &[u8], max: Option<u64>) {
    let len = bytes.len() as u64;
    for v in &out.violations {
        assert!(v.offset < len, "violation {} at {} past {len}", v.id, v.offset);
        // Its span lies inside the input: for data-after-close it is the whole frame, so
        // a frame cut off in the tail may run past the end (the bytes it still needs).
        assert!(v.length >= 1, "violation {} spans nothing", v.id);
        let cut_off = v.id == ViolationId::DataAfterClose
            && out.incomplete.as_ref().is_some_and(|t| t.frame == v.frame);
        assert!(
            cut_off || v.offset + v.length <= len,
            "violation {} at {}+{} past {len}",
            v.id,
            v.offset,
            v.length
        );
        assert!(!v.message.is_empty() && v.message == v.message.to_lowercase());
        if let Some(i) = v.frame {
            let in_frames = i < out.frames.len();
            let in_tail = out.incomplete.as_ref().is_some_and(|t| t.frame == Some(i));
            assert!(in_frames || in_tail, "violation {} names frame {i}", v.id);
        }
    }
    // Frames tile the stream from its start (or after a Flash policy request) to the
    // incomplete tail or the end.
    let policy = out.notices.iter().any(|n| n.id == NoticeId::FlashPolicyRequest);
    let mut at = if policy { FLASH_POLICY_REQUEST.len() as u64 } else { 0 };
    for frame in &out.frames {
        assert_eq!(frame.offset, at, "frame {} does not follow the previous one", frame.index);
        assert!(frame.length >= frame.header_length);
        assert_eq!(frame.payload_offset, frame.offset + frame.header_length);
        assert_eq!(frame.payload.len() as u64, frame.payload_len);
        assert!(frame.payload_offset + frame.payload_len <= frame.offset + frame.length);
        for field in &frame.fields {
            assert!(
                field.offset >= frame.offset && field.offset + field.length <= frame.offset + frame.length,
                "field {} outside frame {}",
                field.name,
                frame.index
            );
        }
        at += frame.length;
    }
    assert!(at <= len, "frames end at {at}, past {len}");
    match &out.incomplete {
        Some(tail) => {
            assert_eq!(tail.offset, at, "the tail is not where the frames end");
            assert_eq!(tail.offset + tail.have, len, "the tail is not the rest of the input");
            assert!(tail.have > 0 && tail.min_needed > 0);
            assert!(tail.needed.map_or(true, |n| n == tail.min_needed));
            if let Some(partial) = &tail.partial {
                assert_eq!(tail.frame, Some(partial.index));
                assert_eq!((partial.offset, partial.length), (tail.offset, tail.have));
                assert_eq!(partial.payload_offset + partial.payload.len() as u64, len);
                assert!(partial.payload.len() as u64 <= partial.payload_len);
                for field in &partial.fields {
                    assert!(field.offset >= tail.offset && field.offset + field.length <= len);
                }
            }
        }
        None if at != len => {
            // Only an unmatched Flash preamble or a lone held byte ends up in no frame,
            // and the decoder replays those: everything must be accounted for.
            panic!("bytes {at}..{len} are in no frame and not incomplete");
        }
        None => {}
    }
    for m in &out.messages {
        assert!(m.offset < len, "message {} at {} past {len}", m.index, m.offset);
        assert!(m.frames.iter().all(|&i| i < out.frames.len()));
        assert!(m.wire_length <= len);
        if let Some(max) = max {
            assert!(m.data.len() as u64 <= max, "message {} over the maximum", m.index);
        }
    }
    for n in &out.notices {
        assert!(n.offset <= len, "notice {:?} at {} past {len}", n.id, n.offset);
    }
}

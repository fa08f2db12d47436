//! The stream decoder on arbitrary bytes under options chosen by the first bytes, the
//! extension string among them (any text: a peer's Sec-WebSocket-Extensions answer): it
//! must never panic; an extension string is refused by `decode` exactly when
//! `Decoder::new` refuses it; pushing the stream in random chunks (empty ones included) must give
//! exactly the one-shot decode; frames must tile the stream up to the incomplete tail;
//! and no offset or span may point past the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::{
    decode, DecodeOptions, DecodeOutput, Decoder, Frame, LengthEncoding, NoticeId, Protocol, Role,
    ViolationId, FLASH_POLICY_REQUEST,
};

fuzz_target!(|data: &[u8]| {
    let [modes, extension, max, seed, rest @ ..] = data else {
        return;
    };
    // The second byte is the extension string's length plus one (0: no extensions); the
    // string is the bytes after the fourth, the stream what follows it.
    let (extensions, bytes) = match usize::from(*extension) {
        0 => (None, rest),
        n => {
            let (text, bytes) = rest.split_at((n - 1).min(rest.len()));
            (Some(String::from_utf8_lossy(text).into_owned()), bytes)
        }
    };
    let options = DecodeOptions {
        role: [Role::Client, Role::Server, Role::Auto][usize::from(modes % 3)],
        protocol: [Protocol::Rfc6455, Protocol::Hixie76, Protocol::Auto][usize::from(modes / 3 % 3)],
        extensions,
        max_message_size: (max & 0x80 != 0).then(|| u64::from(max & 0x7F) * 3),
        // Permessage-deflate taken as agreed from the first RSV1 frame (no response seen).
        assume_deflate: modes / 9 % 2 == 1,
    };
    let max = options.max_message_size;
    let whole = match decode(bytes, options.clone()) {
        Ok(whole) => whole,
        Err(e) => {
            assert!(Decoder::new(options).is_err(), "decode refuses what Decoder::new takes: {e}");
            return;
        }
    };
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

/// A frame's payload holds every byte of it (`whole` of them), or is cut short within the
/// maximum message size. A `message-too-big` violation says so for a message's frame; a
/// frame of no message (a reserved opcode, a hixie-76 frame of an invalid type or with a
/// length prefix) is cut without one.
fn kept_whole_or_cut(frame: &Frame, kept: usize, whole: u64, out: &DecodeOutput, max: Option<u64>) -> bool {
    let kept = kept as u64;
    let said = out.violations.iter().any(|v| v.id == ViolationId::MessageTooBig)
        || !out.messages.iter().any(|m| m.frames.contains(&frame.index));
    kept == whole || (kept < whole && max.is_some_and(|m| kept <= room(frame, m)) && said)
}

/// What a frame keeps at most under the maximum `max`: an RFC 6455 control frame (a
/// reserved one too) up to 125 bytes whatever the maximum (RFC 6455 §5.5).
fn room(frame: &Frame, max: u64) -> u64 {
    let hixie = matches!(frame.length_encoding, LengthEncoding::HixieSentinel | LengthEncoding::HixieLength);
    if frame.opcode >= 8 && !hixie { max.max(125) } else { max }
}

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
        assert!(kept_whole_or_cut(frame, frame.payload.len(), frame.payload_len, out, max));
        assert!(frame.payload_offset + frame.payload_len <= frame.offset + frame.length);
        for field in &frame.fields() {
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
                let present = len - partial.payload_offset;
                assert!(partial.payload.len() as u64 <= partial.payload_len);
                // Cut at the maximum; a hixie-76 frame says message-too-big only once it
                // ends, so no violation is asked for here.
                let kept = partial.payload.len() as u64;
                assert!(kept == present || (kept < present && max.is_some_and(|m| kept <= room(partial, m))));
                for field in &partial.fields() {
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

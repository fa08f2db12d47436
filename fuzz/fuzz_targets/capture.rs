//! Any input through `decode_capture` (pcap, pcapng, HAR or text, told by its first bytes),
//! options from the first byte: no panic, and the same input pushed into a
//! `CaptureDecoder` in slices (sizes from the second byte) gives the same result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsinspect::capture::{decode_capture, CaptureDecoder, CaptureOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Some((&slice, input)) = rest.split_first() else {
        return;
    };
    let options = CaptureOptions {
        mid_stream: flags & 1 != 0,
        max_message_size: (flags & 2 != 0).then_some(u64::from(flags >> 2) * 7),
        ..CaptureOptions::default()
    };
    let whole = decode_capture(input, &options);
    let mut d = CaptureDecoder::new(options);
    let mut events = Vec::new();
    let size = usize::from(slice % 61) + 1;
    for chunk in input.chunks(size) {
        events.extend(d.push(chunk));
    }
    events.extend(d.end());
    let sliced = d.result(events);
    // Debug text, not ==: a HAR's missing time is NaN, which equals nothing.
    assert_eq!(format!("{whole:?}"), format!("{sliced:?}"), "slices of {size}");
    for c in &whole.conversations {
        for g in &c.gaps {
            assert!(g.length > 0);
        }
    }
});

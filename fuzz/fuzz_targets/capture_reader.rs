//! A capture file's reader on arbitrary bytes, pushed in a few slices, every packet's
//! headers read: it must never panic, packet numbers go up, offsets and errors stay
//! inside the input (wsinspect::capture::fuzz_read_capture checks these).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wsinspect::capture::fuzz_read_capture(data);
});

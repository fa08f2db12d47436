//! The NSS key log reader on arbitrary bytes: never a panic, every problem on a line of
//! the text, in line order (`capture::fuzz_key_log`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wsinspect::capture::fuzz_key_log(data);
});

//! The TCP reassembler on arbitrary segments: two 4-tuples, SYN, FIN, RST, reordering,
//! duplicates, corrupted copies, snaplen cuts, sequence numbers near the wrap and far
//! jumps, a cap of 0 to 4080 out-of-order bytes. It must never panic, and its events
//! must keep their promises (checked in `fuzz_reassemble`): a connection's events between
//! its `Opened` and its `Closed`, each side's data and gaps contiguous from offset 0,
//! every delivered byte the one sent at its offset, every connection closed at the end.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wsinspect::capture::fuzz_reassemble(data);
});

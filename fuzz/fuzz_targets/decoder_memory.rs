//! What the stream decoder holds between pushes stays within its maximum message size
//! plus a constant, whatever the bytes: a frame announcing 2^62 bytes, a deflate bomb,
//! endless empty fragments. A counting global allocator measures the heap the decoder
//! keeps after each push's output is dropped.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use libfuzzer_sys::fuzz_target;
use wsinspect::{Decoder, DecodeOptions, Protocol, Role};

/// Live bytes allocated through Rust's allocator (libFuzzer's own C++ heap is not counted).
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        System.dealloc(p, layout);
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = System.realloc(p, layout, new_size);
        if !q.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            LIVE.fetch_add(new_size, Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Maximums small enough for a few KiB of input to pass them (deflate inflates about 1000
/// to 1, a header announces any length).
const MAXIMUMS: [u64; 6] = [0, 1, 125, 1000, 4096, 65536];

const EXTENSIONS: [Option<&str>; 4] = [
    None,
    Some("permessage-deflate"),
    Some("permessage-deflate; client_max_window_bits=9"),
    Some("x-webkit-deflate-frame"),
];

/// What a decoder may hold besides its messages: the inflater's state (zlib-rs: one
/// allocation with its 32 KiB window and code tables; miniz_oxide in the npm package's
/// decoding module: a 32 KiB window and about 11 KiB of state), the partial header, the options, the Vec slack of a
/// message's fragment list (16 bytes of the maximum a fragment, 8 bytes an index).
const CONSTANT: usize = 96 << 10;

fuzz_target!(|data: &[u8]| {
    let [modes, choice, chunk, bytes @ ..] = data else {
        return;
    };
    let max = MAXIMUMS[usize::from(choice % 6)];
    let options = DecodeOptions {
        role: [Role::Client, Role::Server, Role::Auto][usize::from(modes % 3)],
        protocol: [Protocol::Rfc6455, Protocol::Hixie76, Protocol::Auto][usize::from(modes / 3 % 3)],
        extensions: EXTENSIONS[usize::from(choice / 6 % 4)].map(str::to_string),
        max_message_size: Some(max),
        // Permessage-deflate taken as agreed from the first RSV1 frame (no response seen).
        assume_deflate: modes / 9 % 2 == 1,
    };
    let chunk = usize::from(*chunk).max(1);
    let base = LIVE.load(Relaxed);
    let mut decoder = Decoder::new(options).expect("the extension values are all valid");
    // A message's data and its open frame's payload, each at most the maximum (a control
    // frame keeps up to 125 bytes), each in a Vec of at most twice its length.
    let bound = 4 * max.max(125) as usize + CONSTANT;
    for (i, part) in bytes.chunks(chunk).enumerate() {
        drop(decoder.push(part));
        let held = LIVE.load(Relaxed).saturating_sub(base);
        assert!(
            held <= bound,
            "after push {i}: the decoder holds {held} bytes, over {bound} (maximum {max})"
        );
    }
    drop(decoder.end());
});

//! glibc's malloc, tuned for a capture file's decoding (Linux with glibc only).
//!
//! Reading a capture hands every TCP segment (up to 64 KiB on loopback) from the reading
//! thread to a decoding thread, and a message of a megabyte grows in steps. With glibc's
//! defaults, memory freed at the top of a heap is given back to the kernel past 128 KiB
//! (`M_TRIM_THRESHOLD`) and taken again a moment later, and a block past the dynamic mmap
//! threshold is mapped and unmapped on its own: every page of it faulted in afresh. Keeping
//! freed memory (trim past 64 MiB, map on its own only past 32 MiB, grow a heap 16 MiB at a
//! time) took `wsinspect decode` of the 100 MB bench capture from 0.565 s to 0.50 s (medians
//! of 8 runs, interleaved; 39,000 page faults down to 33,000) for 12 MB more at its peak
//! (125 -> 137 MB; tshark peaks at 345 MB on the same file).

/// Sets the constants; called once, first thing in `main`.
pub fn tune() {
    const MIB: libc::c_int = 1 << 20;
    // SAFETY: mallopt only sets malloc's parameters; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 * MIB);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 * MIB);
        libc::mallopt(libc::M_TOP_PAD, 16 * MIB);
    }
}

// A zlib stream driven synchronously and kept across calls (context takeover). Node has
// no public API for this: zlib.inflateRawSync closes its engine after one call. This is
// the loop of Node 20's processChunkSync (lib/zlib.js) without the close, on the same
// native handle, so it is zlib's own speed in this thread.

export class SyncZlib {
  /** engine: zlib.createInflateRaw() or zlib.createDeflateRaw(options). */
  constructor(engine) {
    this.engine = engine;
    this.handle = engine._handle;
    this.state = engine._writeState;
    this.chunkSize = engine._chunkSize;
    this.buffer = Buffer.allocUnsafe(this.chunkSize);
    this.offset = 0;
    this.error = null;
    engine.on("error", (e) => (this.error = e));
    if (!this.handle || !this.state) throw new Error("zlib internals changed: no _handle/_writeState");
  }

  /** Processes `chunk` with `flush` (e.g. Z_SYNC_FLUSH) and returns the output. */
  process(chunk, flush) {
    const { handle, state, chunkSize } = this;
    let availInBefore = chunk.byteLength;
    let availOutBefore = chunkSize - this.offset;
    let inOff = 0;
    let buffers = null;
    let nread = 0;
    let buffer = this.buffer;
    let offset = this.offset;
    for (;;) {
      handle.writeSync(flush, chunk, inOff, availInBefore, buffer, offset, availOutBefore);
      if (this.error) throw this.error;
      const availOutAfter = state[0];
      const availInAfter = state[1];
      const have = availOutBefore - availOutAfter;
      if (have > 0) {
        const out = buffer.subarray(offset, offset + have);
        offset += have;
        if (!buffers) buffers = [out];
        else buffers.push(out);
        nread += have;
      }
      if (availOutAfter === 0 || offset >= chunkSize) {
        availOutBefore = chunkSize;
        offset = 0;
        buffer = Buffer.allocUnsafe(chunkSize);
      } else {
        availOutBefore = availOutAfter;
      }
      if (availOutAfter === 0) {
        inOff += availInBefore - availInAfter;
        availInBefore = availInAfter;
      } else break;
    }
    this.buffer = buffer;
    this.offset = offset;
    if (nread === 0) return Buffer.alloc(0);
    return buffers.length === 1 ? buffers[0] : Buffer.concat(buffers, nread);
  }

  close() {
    this.engine.close();
  }
}

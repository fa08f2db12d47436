// The streams and files `npx wsinspect` reads and writes, for runCli (src/wasm/cli.rs):
// synchronous node:fs calls, so every byte is written before the process exits. Errors are
// thrown as Node gives them (errno, code, message); the wasm turns them into the native
// CLI's messages and statuses.
import { readFileSync, writeSync } from "node:fs";

/** Writes all of `bytes` to file descriptor `fd`, waiting while a non-blocking pipe is full. */
function writeAll(fd, bytes) {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** At most `limit` bytes of `bytes` (the wasm counts more than its maximum as too big). */
const upTo = (bytes, limit) => (bytes.length > limit ? bytes.subarray(0, limit) : bytes);

export const nodeIo = {
  readStdin: (limit) => upTo(readFileSync(0), limit),
  readFile: (path, limit) => upTo(readFileSync(path), limit),
  writeStdout: (bytes) => writeAll(1, bytes),
  writeStderr: (bytes) => writeAll(2, bytes),
};

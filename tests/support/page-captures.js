// Capture files for the page's capture tests (tests/browser/capture.test.js): a large pcap
// made from a recorded one (its packets repeated with a new client port and a later time per
// copy), and dropping a file on the Decode panel as a user's drag and drop would.

/**
 * A little-endian Ethernet/IPv4 pcap (such as tests/fixtures/captures/ws-lo.pcap) repeated
 * `copies` times as one pcap: copy i has its client port (the first packet's source port)
 * replaced by `firstPort + i` and its times `i` seconds later, so each copy is a connection
 * of its own. Returns the file's parts (a header, then one Uint8Array per copy).
 *
 * Self-contained (no imports, no Node API): the page tests run it in the browser through
 * its source text, so a 100 MB file need not cross from Node to the page.
 */
export function repeatPcap(pcap, copies, firstPort = 1024) {
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  if (view.getUint32(0, true) !== 0xa1b2c3d4) throw new Error("repeatPcap wants a little-endian microsecond pcap");
  const records = [];
  for (let at = 24; at + 16 <= pcap.length;) {
    const length = view.getUint32(at + 8, true);
    // Where the TCP header starts: after the 16-byte record header, 14 of Ethernet and IPv4's IHL words.
    records.push({ at: at - 24, tcp: at - 24 + 16 + 14 + (pcap[at + 16 + 14] & 0x0f) * 4 });
    at += 16 + length;
  }
  const body = pcap.subarray(24);
  const clientPort = new DataView(body.buffer, body.byteOffset).getUint16(records[0].tcp);
  const parts = [pcap.slice(0, 24)];
  for (let i = 0; i < copies; i++) {
    const copy = body.slice();
    const v = new DataView(copy.buffer);
    const port = firstPort + (i % 60000);
    for (const r of records) {
      v.setUint32(r.at, v.getUint32(r.at, true) + i, true);
      if (v.getUint16(r.tcp) === clientPort) v.setUint16(r.tcp, port);
      else v.setUint16(r.tcp + 2, port);
    }
    parts.push(copy);
  }
  return parts;
}

/** Drops a file holding `bytes`, named `name`, on the Decode panel's drop zone. */
export async function dropBytes(page, name, bytes) {
  await page.evaluate(([name, b64]) => {
    const bin = atob(b64);
    const data = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
    dropFile(new File([data], name));
    function dropFile(file) {
      const dt = new DataTransfer();
      dt.items.add(file);
      document.querySelector("[data-testid=drop-zone]").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, [name, Buffer.from(bytes).toString("base64")]);
}

/**
 * Makes repeatPcap(pcap, copies) in the page and drops it as `name`; `before()` (a page
 * function's source) runs first, in the same task, so it sees the read from its start.
 */
export async function dropRepeated(page, name, pcap, copies, before = "() => {}") {
  return page.evaluate(([src, name, b64, copies, before]) => {
    const bin = atob(b64);
    const pcap = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) pcap[i] = bin.charCodeAt(i);
    // eslint-disable-next-line no-eval
    const repeat = (0, eval)(`(${src})`);
    const file = new File(repeat(pcap, copies), name);
    (0, eval)(`(${before})`)();
    const dt = new DataTransfer();
    dt.items.add(file);
    document.querySelector("[data-testid=drop-zone]").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    return file.size;
  }, [repeatPcap.toString(), name, Buffer.from(pcap).toString("base64"), copies, before]);
}

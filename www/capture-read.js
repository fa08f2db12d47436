// The worker's side of a capture file (pcap, pcapng, HAR): read in 1 MiB slices with the
// package's CaptureDecoder, posting progress (bytes read, conversations found and decoded,
// notices, TLS connections that ended) after each slice so the page can fill its table while
// the file is still read. A key log (options.keyLog, the NSS text) decrypts wss:// connections
// here, in this worker: it is never sent anywhere. Whole conversations stay here; the page
// gets a row's numbers, and asks for a whole conversation when one is opened.

const SLICE = 1024 * 1024;
/** Capture notices posted in full; the rest are counted. */
const MAX_NOTICES = 200;
/** TLS connections not decrypted posted in full; the rest are counted (a browser's capture can hold thousands). */
const MAX_TLS = 1000;

/** The capture being read (or last read): its job and its decoded conversations by index. */
let current = { job: -1, conversations: new Map() };

/** Handles a capture message from the page: "capture" (read a file), "capture-stop" (drop it) or "capture-open" (one conversation). */
export async function onCapture(ws, data) {
  if (data.kind === "capture") return read(ws, data);
  if (data.kind === "capture-stop") current = { job: -1, conversations: new Map() };
  if (data.kind === "capture-open") {
    const conv = data.job === current.job ? current.conversations.get(data.index) : undefined;
    self.postMessage({ job: data.job, type: "capture-conversation", index: data.index, conv: conv ?? null });
  }
}

async function read(ws, { job, file, options }) {
  current = { job, conversations: new Map() };
  const mine = current;
  const total = file.size;
  let decoder;
  try {
    decoder = new ws.CaptureDecoder(options);
  } catch (e) {
    self.postMessage({ job, type: "capture-failed", message: String(e?.message ?? e) });
    return;
  }
  const state = { notices: 0, tls: { total: 0, decrypted: 0, alone: 0, missed: 0 }, error: null, format: null, stats: null };
  try {
    let done = 0;
    while (done < total && !state.error) {
      const end = Math.min(total, done + SLICE);
      const chunk = new Uint8Array(await file.slice(done, end).arrayBuffer());
      // A newer capture (or the page's stop) replaced this one while the slice was read.
      if (current !== mine) return decoder.free();
      done = end;
      post(job, decoder.push(chunk), mine, state, done, total);
    }
    post(job, decoder.end(), mine, state, done, total);
  } catch (e) {
    decoder.free();
    self.postMessage({ job, type: "capture-failed", message: `the capture reader failed: ${e?.message ?? e}` });
    return;
  }
  decoder.free();
  self.postMessage({ job, type: "capture-done", total, count: mine.conversations.size, format: state.format, stats: state.stats, error: state.error, notices: state.notices, tls: state.tls });
}

/** Posts what one push (or the end) found: rows for conversations found and decoded, the new notices. */
function post(job, part, mine, state, done, total) {
  for (const c of part.conversations) mine.conversations.set(c.index, c);
  const notices = [];
  for (const n of part.notices) {
    if (state.notices++ < MAX_NOTICES) notices.push({ id: n.id, message: n.message, packet: n.packet ?? null, offset: n.offset ?? null });
  }
  // Decrypted TLS connections are counted (those with a WebSocket are its rows); the others
  // are listed with why they were not decrypted.
  const tls = [];
  for (const t of part.tls ?? []) {
    state.tls.total++;
    if (t.status === "decrypted") {
      state.tls.decrypted++;
      if (t.conversation === null || t.conversation === undefined) state.tls.alone++;
    } else if (state.tls.missed++ < MAX_TLS) {
      tls.push(tlsRow(t));
    }
  }
  state.format = part.format ?? state.format;
  state.stats = part.stats ?? state.stats;
  if (part.error && !state.error) state.error = { message: part.error.message, offset: part.error.offset, packet: part.error.packet ?? null };
  self.postMessage({
    job, type: "capture-progress", done, total, format: state.format, stats: state.stats, error: state.error, notices,
    found: part.found.map((f) => ({ index: f.index, client: f.client ?? null, server: f.server ?? null, start: f.start ?? null, decoded: false })),
    decoded: part.conversations.map(row), tls, tlsCounts: { ...state.tls },
  });
}

/** A conversation's numbers for its table row. */
function row(c) {
  const frames = { client: 0, server: 0 };
  for (const f of c.frames) frames[f.direction]++;
  return {
    index: c.index, client: c.client ?? null, server: c.server ?? null, start: c.start ?? null, end: c.end ?? null,
    frames, bytes: { client: c.bytes?.client ?? 0, server: c.bytes?.server ?? 0 }, messages: c.messages.length,
    violations: c.violations.length, gaps: c.gaps?.length ?? 0, midStream: Boolean(c.midStream), decoded: true,
    tls: c.tls ? tlsFacts(c.tls) : null,
  };
}

/** What a TLS handshake said (version, suite, SNI, ALPN, client random), as the page shows it. */
function tlsFacts(t) {
  return { version: t.version ?? null, cipherSuite: t.cipherSuite ?? null, sni: t.sni ?? null, alpn: t.alpn ?? null, clientRandom: t.clientRandom ?? null };
}

/** A TLS connection of the capture and its outcome ("decrypted", "no-key", …, with the core's message). */
function tlsRow(t) {
  return {
    ...tlsFacts(t), client: t.client ?? null, server: t.server ?? null, start: t.start ?? null,
    status: t.status, message: t.message, conversation: t.conversation ?? null,
  };
}

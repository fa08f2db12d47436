// Saves bytes the page made as a file on this machine (a Blob and a download link; nothing
// leaves the browser), and a conversation as a pcapng Wireshark opens (the package's
// conversationPcapng, in the conversation module, loaded on first use).
import * as ws from "/js/index.js";

/** Offers `bytes` as a download named `name`. */
export function downloadBytes(bytes, name, type = "application/octet-stream") {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A conversation (streams, frames with direction, offset and time; client and server when known) as a pcapng download. */
export async function downloadPcapng(conversation, name) {
  await ws.initConversations();
  downloadBytes(ws.conversationPcapng(conversation), name, "application/x-pcapng");
}

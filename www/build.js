// The Build panel: compose a frame (including broken ones on purpose), see its bytes as hex,
// base64 and a C array, and send it to the Decode panel.
import * as ws from "/js/index.js";
import { byTestId, copyButton, showError } from "./dom.js";
import { base64, cArray, hex, utf8 } from "./format.js";

export class BuildPanel {
  /** @param onDecode (hexText, options) => void, shows the bytes in the Decode panel */
  constructor(root, onDecode) {
    this.root = root;
    this.q = (id) => byTestId(id, root);
    this.onDecode = onDecode;
    this.bytes = null;
    this.fillOpcodes();
    for (const id of ["build-hex", "build-base64", "build-c"]) {
      const pre = this.q(id);
      pre.after(copyButton("copy", () => pre.textContent, `${id}-copy`));
    }
    root.addEventListener("input", () => this.run());
    root.addEventListener("change", () => this.run());
    this.q("build-decode").addEventListener("click", () => {
      if (!this.bytes) return;
      this.onDecode(hex(this.bytes), {
        role: this.q("build-mask").checked ? "client" : "server",
        extensions: this.q("build-compress").checked ? "permessage-deflate" : "",
      });
    });
  }

  fillOpcodes() {
    const select = this.q("build-opcode");
    const named = new Map(ws.reference().opcodes.map((o) => [o.opcode, o.name]));
    for (let op = 0; op < 16; op++) {
      const label = `0x${op.toString(16)} ${named.get(op) ?? "reserved"}`;
      select.append(new Option(label, String(op), op === 1, op === 1));
    }
  }

  spec() {
    const q = this.q;
    const keyText = q("build-key").value.replace(/\s|0x/g, "");
    let maskingKey = null;
    if (q("build-mask").checked) {
      if (!/^[0-9a-fA-F]{8}$/.test(keyText)) throw new Error("the masking key must be 8 hex digits (4 bytes)");
      maskingKey = ws.parseBytes(keyText, "hex").bytes;
    }
    const payloadText = q("build-payload").value;
    const format = q("build-payload-format").value;
    let payload;
    if (format === "close") {
      const code = Number(q("build-close-code").value);
      if (!Number.isInteger(code) || code < 0 || code > 65535) throw new Error("a close code is 0 to 65535");
      payload = ws.encodeClosePayload(code, q("build-close-reason").value);
    } else if (format === "hex") {
      payload = payloadText.trim() ? ws.parseBytes(payloadText, "hex").bytes : new Uint8Array(0);
    } else {
      payload = utf8(payloadText);
    }
    const spec = {
      fin: q("build-fin").checked, rsv1: q("build-rsv1").checked, rsv2: q("build-rsv2").checked,
      rsv3: q("build-rsv3").checked, opcode: Number(q("build-opcode").value), maskingKey, payload,
      compress: q("build-compress").checked,
    };
    if (q("build-length").value) spec.lengthEncoding = q("build-length").value;
    return spec;
  }

  run() {
    const close = this.q("build-payload-format").value === "close";
    this.q("build-close-row").hidden = !close;
    this.q("build-payload").disabled = close;
    let bytes = null;
    try {
      bytes = ws.encodeFrame(this.spec());
      showError(this.q("build-error"), "");
    } catch (e) {
      showError(this.q("build-error"), `cannot build this frame: ${e.message}`);
    }
    this.bytes = bytes;
    this.q("build-hex").textContent = bytes ? hex(bytes) : "";
    this.q("build-base64").textContent = bytes ? base64(bytes) : "";
    this.q("build-c").textContent = bytes ? cArray(bytes) : "";
    this.q("build-decode").disabled = !bytes;
  }
}

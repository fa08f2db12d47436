#!/bin/sh
# Seeds the TLS fuzz corpora from the recorded wss fixtures. Run from fuzz/.
# - corpus/tls_records: each recording in the target's encoding (a header byte: the side;
#   a length byte; that many bytes), from tshark's Follow TCP Stream;
# - corpus/tls_key_log: their key logs;
# - corpus/capture_tls, for the `capture` target (two option bytes, then the file): each
#   recording as a pcapng carrying its key log in a Decryption Secrets Block (editcap
#   --inject-secrets), so decode_capture decrypts with no key log option and the fuzzer
#   starts inside the decrypted conversations.
set -e
mkdir -p corpus/tls_records corpus/tls_key_log corpus/capture_tls
for f in ../tests/fixtures/captures/wss-*.pcap; do
  name=$(basename "$f" .pcap)
  keys="../tests/fixtures/captures/$name.keys"
  cp "$keys" "corpus/tls_key_log/$name"
  tshark -r "$f" -qz follow,tcp,raw,0 | python3 -c '
import sys
out = bytearray()
lines = sys.stdin.read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("Node 1:")) + 1
for line in lines[start:]:
    if line.startswith("====") or not line.strip():
        continue
    side = 1 if line.startswith("\t") else 0
    data = bytes.fromhex(line.strip())
    for at in range(0, len(data), 255):
        piece = data[at:at + 255]
        out += bytes([side, len(piece)]) + piece
sys.stdout.buffer.write(out)
' > "corpus/tls_records/$name"
  editcap -F pcapng --inject-secrets "tls,$keys" "$f" "corpus/$name.pcapng"
  { printf '\000\000'; cat "corpus/$name.pcapng"; } > "corpus/capture_tls/$name"
  rm "corpus/$name.pcapng"
done
ls -la corpus/tls_records corpus/capture_tls

"""PyPI `websockets` as one peer of a recorded wss:// conversation (tests/node/tls.test.js).

websockets_peer.py over TLS: the same server (echo, "frag:" in 3 frames, one connection), the
same client (tests/interop/script.js), the same log and the same 20 s bound; only the socket
is wrapped in TLS. This file adds the TLS options and hands the rest to websockets_peer.py.

  python3 websockets_tls_peer.py server --host 127.0.0.1 --cert PEM --key PEM
      [--tls 1.2|1.3] [--ciphers OPENSSL-CIPHER-STRING] [--alpn http/1.1] [--keylog FILE]
      --deflate ... --log FILE
  python3 websockets_tls_peer.py client --url wss://127.0.0.1:PORT/chat
      [--cafile PEM --server-name NAME | (no --cafile: the certificate is not verified)]
      [--tls ...] [--alpn ...] [--keylog FILE] --deflate ... --script FILE --log FILE

--ciphers is OpenSSL's TLS 1.2 cipher string (Python's ssl cannot set TLS 1.3 suites: run
the peers with OPENSSL_CONF naming a file whose system_default section says
`Ciphersuites = TLS_CHACHA20_POLY1305_SHA256`). --keylog appends the connection's secrets in
the NSS key log format (SSLContext.keylog_filename). --server-name is the SNI sent (and the
name the certificate must carry); with an IP address in --url and no --server-name, no SNI.

The log gains "tls": { version, cipher (OpenSSL's name), alpn, sni } as this side saw the
connection (sni: what the server was sent; the client's own --server-name).
"""

import argparse
import os
import ssl
import sys

tls = argparse.ArgumentParser(add_help=False)
tls.add_argument("--cert")
tls.add_argument("--key")
tls.add_argument("--tls", choices=["1.2", "1.3"])
tls.add_argument("--ciphers")
tls.add_argument("--alpn")
tls.add_argument("--keylog")
tls.add_argument("--cafile")
tls.add_argument("--server-name")
tls_args, rest = tls.parse_known_args()

# websockets_peer.py reads its own options from sys.argv when imported.
sys.argv[1:] = rest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import websockets_peer as peer  # noqa: E402

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
seen = {"sni": None}


def context(server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if tls_args.tls:
        ctx.minimum_version = ctx.maximum_version = VERSIONS[tls_args.tls]
    if tls_args.ciphers:
        ctx.set_ciphers(tls_args.ciphers)
    if tls_args.alpn:
        ctx.set_alpn_protocols(tls_args.alpn.split(","))
    if tls_args.keylog:
        ctx.keylog_filename = tls_args.keylog
    if server:
        ctx.load_cert_chain(tls_args.cert, tls_args.key)
        ctx.sni_callback = lambda _sock, name, _ctx: seen.update(sni=name)
    elif tls_args.cafile:
        ctx.load_verify_locations(tls_args.cafile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def note(ws, sni):
    """What this side negotiated, into the log."""
    obj = ws.transport.get_extra_info("ssl_object")
    peer.log["tls"] = {"version": obj.version(), "cipher": obj.cipher()[0], "alpn": obj.selected_alpn_protocol(), "sni": sni}


plain_serve, plain_connect = peer.serve, peer.connect


def serve(handler, host, port, **kwargs):
    async def tls_handler(ws):
        note(ws, seen["sni"])
        await handler(ws)

    return plain_serve(tls_handler, host, port, ssl=context(server=True), **kwargs)


class connect:
    """websockets' connect with TLS, as an `async with` (the only way the client uses it)."""

    def __init__(self, url, **kwargs):
        hostname = {"server_hostname": tls_args.server_name} if tls_args.server_name else {}
        # proxy=None: a proxy from the environment must not carry the recorded connection.
        self.inner = plain_connect(url, ssl=context(server=False), proxy=None, **hostname, **kwargs)

    async def __aenter__(self):
        ws = await self.inner.__aenter__()
        note(ws, tls_args.server_name)
        return ws

    async def __aexit__(self, *exc):
        return await self.inner.__aexit__(*exc)


peer.serve, peer.connect = serve, connect

if __name__ == "__main__":
    sys.exit(peer.asyncio.run(peer.main()))

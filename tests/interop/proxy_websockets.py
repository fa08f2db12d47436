"""PyPI `websockets` on either side of `wsinspect proxy` (tests/proxy_interop.rs, proxy_tls.rs).

  python3 proxy_websockets.py server [--cert FILE --key FILE]
    an echo server on 127.0.0.1 with permessage-deflate (wss:// with the certificate);
    prints "listening PORT" and serves until it is killed (or 60 s).
  python3 proxy_websockets.py client --url ws://... [--messages N]
    sends N messages of mixed sizes (the sizes and contents of proxy_ws.js), checks each
    echo, closes with 1000, prints one JSON line {messages, failures, extensions}; exits 1
    if anything was lost or altered, 2 after 30 s.
"""

import argparse
import asyncio
import json
import ssl
import sys

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

SIZES = [0, 1, 125, 126, 127, 1000, 65535, 65536, 70000, 5]


def message(connection, index):
    size = SIZES[index % len(SIZES)]
    if index % 2 == 0:
        line = f"connection {connection} message {index} "
        return (line * (size // len(line) + 2))[:size]
    x = (connection * 7919 + index * 104729) & 0xFFFFFFFF
    out = bytearray(size)
    for i in range(size):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = x >> 24
    return bytes(out)


async def server(args):
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    async def echo(ws):
        async for data in ws:
            await ws.send(data)

    async with serve(echo, "127.0.0.1", 0, ssl=context, max_size=None) as s:
        port = s.sockets[0].getsockname()[1]
        print(f"listening {port}", flush=True)
        await asyncio.sleep(60)


async def client(args):
    failures, echoed = [], 0
    async with connect(args.url, max_size=None) as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        for i in range(args.messages):
            await ws.send(message(0, i))
        for i in range(args.messages):
            got = await ws.recv()
            if got != message(0, i):
                failures.append(f"message {i} altered")
            else:
                echoed += 1
        await ws.close(1000, "done")
    print(json.dumps({"messages": echoed, "failures": failures, "extensions": [extensions]}))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--url")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    if args.role == "server":
        asyncio.run(server(args))
        return 0
    try:
        return asyncio.run(asyncio.wait_for(client(args), 30))
    except asyncio.TimeoutError:
        print("proxy_websockets client: timed out", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""PyPI `websockets` as the echo server `wsinspect conformance client` tests
(tests/node/conformance.test.js), set up as its own compliance server is.

  python3 conformance_websockets_server.py [--deflate on|off] [--seconds N]
      [--cert PEM --key PEM]

Prints "listening PORT" (127.0.0.1) and echoes every message of every connection, until
killed or N seconds (default 120) have passed. Its Server header names the version. With
--cert and --key it serves wss:// (TLS) with that certificate.
"""

import argparse
import asyncio
import ssl

import websockets
from websockets.asyncio.server import serve
from websockets.exceptions import WebSocketException

parser = argparse.ArgumentParser()
parser.add_argument("--deflate", default="off", choices=["on", "off"])
parser.add_argument("--seconds", type=float, default=120)
parser.add_argument("--cert")
parser.add_argument("--key")
args = parser.parse_args()


async def echo(ws):
    try:
        async for message in ws:
            await ws.send(message)
    except WebSocketException:
        pass


async def main():
    compression = {} if args.deflate == "on" else {"compression": None}
    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    async with serve(
        echo,
        "127.0.0.1",
        0,
        server_header=f"websockets/{websockets.__version__}",
        max_size=2**25,
        ssl=tls,
        **compression,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening {port}", flush=True)
        await asyncio.sleep(args.seconds)


if __name__ == "__main__":
    asyncio.run(main())

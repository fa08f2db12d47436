"""PyPI `websockets` as one peer of a recorded conversation (tests/node/conversation.test.js).

  python3 websockets_peer.py server --host 127.0.0.1 --deflate on|off|no-context-takeover --log FILE
    prints "listening PORT", serves one connection: echoes every message (a text that starts
    with "frag:" in 3 frames), answers pings (websockets does), then exits.
  python3 websockets_peer.py client --url ws://... --deflate ... --script FILE --log FILE
    says the script (tests/interop/script.js) and closes with its code and reason.

Each writes what it sent and received to the log, in the same shape as ws_peer.js. Either
exits 2 after 20 s, whatever happens.
"""

import argparse
import asyncio
import json
import sys

import websockets
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)

TIMEOUT = 20

parser = argparse.ArgumentParser()
parser.add_argument("role", choices=["server", "client"])
parser.add_argument("--host")
parser.add_argument("--url")
parser.add_argument("--deflate", default="on", choices=["on", "off", "no-context-takeover"])
parser.add_argument("--script")
parser.add_argument("--log", required=True)
args = parser.parse_args()

log = {"peer": f"websockets {websockets.__version__}", "role": args.role, "extensions": None, "events": []}


def record(direction, kind, data=None, **extra):
    event = {"dir": direction, "type": kind}
    if data is not None:
        if isinstance(data, (list, tuple)):
            data = b"".join(data)
        if isinstance(data, str):
            data = data.encode()
        event.update({"text": data.decode()} if kind == "text" else {"hex": data.hex()})
    event.update(extra)
    log["events"].append(event)


def save():
    with open(args.log, "w") as f:
        json.dump(log, f, indent=1)


def extensions(side):
    """websockets' settings for the three cases: compression=None, the default, or both no_context_takeover."""
    if args.deflate == "off":
        return {"compression": None}
    if args.deflate == "on":
        return {}
    factory = ServerPerMessageDeflateFactory if side == "server" else ClientPerMessageDeflateFactory
    return {"extensions": [factory(server_no_context_takeover=True, client_no_context_takeover=True)]}


def agreed(headers):
    return headers.get("Sec-WebSocket-Extensions") or None


def fragments(data):
    """Three parts, cut at thirds of the UTF-8 bytes (script.js serverFragments)."""
    a, b = len(data) // 3, 2 * len(data) // 3
    return [data[:a], data[a:b], data[b:]]


async def server():
    done = asyncio.get_running_loop().create_future()

    async def handler(ws):
        log["extensions"] = agreed(ws.response.headers)
        log["request"] = {"url": ws.request.path}
        try:
            async for message in ws:
                kind = "text" if isinstance(message, str) else "binary"
                record("received", kind, message)
                if kind == "text" and message.startswith("frag:"):
                    await ws.send(fragments(message.encode()), text=True)
                else:
                    await ws.send(message)
                record("sent", kind, message)
        except websockets.exceptions.ConnectionClosed:
            pass  # a close other than 1000/1001 ends the loop with this; close_rcvd says which
        finally:
            rcvd = ws.protocol.close_rcvd
            if rcvd is not None:
                record("received", "close", code=rcvd.code, reason=rcvd.reason)
            if not done.done():
                done.set_result(None)

    async with serve(handler, args.host, 0, **extensions("server")) as srv:
        port = srv.sockets[0].getsockname()[1]
        print(f"listening {port}", flush=True)
        await done
    save()


async def client():
    with open(args.script) as f:
        script = json.load(f)
    async with connect(args.url, **extensions("client")) as ws:
        log["extensions"] = agreed(ws.response.headers)
        for m in script["messages"]:
            if "fragments" in m:
                parts = [bytes.fromhex(h) for h in m["fragments"]]
                await ws.send(parts, text=m["type"] == "text")
                record("sent", m["type"], parts)
            else:
                data = m["text"] if m["type"] == "text" else bytes.fromhex(m["hex"])
                await ws.send(data)
                record("sent", m["type"], data)
            got = await ws.recv()
            record("received", "text" if isinstance(got, str) else "binary", got)
        ping = script["ping"].encode()
        waiter = await ws.ping(ping)
        record("sent", "ping", ping)
        await waiter
        record("received", "pong", ping)
        await ws.close(code=script["close"]["code"], reason=script["close"]["reason"])
        record("sent", "close", **script["close"])
        rcvd = ws.protocol.close_rcvd
        if rcvd is not None:
            record("received", "close", code=rcvd.code, reason=rcvd.reason)
    save()


async def main():
    try:
        await asyncio.wait_for(server() if args.role == "server" else client(), TIMEOUT)
    except Exception as e:  # noqa: BLE001 - the log says what went wrong
        log["error"] = f"{type(e).__name__}: {e}"
        save()
        print(log["error"], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

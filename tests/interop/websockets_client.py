"""PyPI `websockets` (a client no one here wrote) against wsinspect's /echo.

Usage: python websockets_client.py ws://127.0.0.1:PORT
Prints one line per check and a closing "N passed, N failed" line; exits 1 if any failed.
Every check is bounded in time.
"""

import asyncio
import os
import sys

from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

BASE = sys.argv[1].rstrip("/")
TIMEOUT = 20
results = []


def check(name):
    def wrap(fn):
        async def run():
            try:
                await asyncio.wait_for(fn(), TIMEOUT)
                results.append((name, None))
            except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the rest
                results.append((name, f"{type(e).__name__}: {e}"))

        CHECKS.append(run)
        return fn

    return wrap


CHECKS = []


def extensions_of(ws):
    return ws.response.headers.get("Sec-WebSocket-Extensions", "")


@check("text echo")
async def _():
    async with connect(f"{BASE}/echo", compression=None) as ws:
        for text in ["Hello", "", "héllo wörld ✓", "x" * 70000]:
            await ws.send(text)
            got = await ws.recv()
            assert got == text, f"{got[:40]!r} != {text[:40]!r}"


@check("binary echo")
async def _():
    async with connect(f"{BASE}/echo", compression=None) as ws:
        for size in [0, 1, 125, 126, 65535, 65536, 200000]:
            data = os.urandom(size)
            await ws.send(data)
            got = await ws.recv()
            assert isinstance(got, bytes) and got == data, f"binary of {size} bytes"


@check("fragmented message echo")
async def _():
    async with connect(f"{BASE}/echo", compression=None) as ws:
        parts = ["frag", "men", "ted ", "✓"]
        await ws.send(parts)  # an iterable is sent as one message in several frames
        assert await ws.recv() == "".join(parts)
        await ws.send([b"\x00\x01", b"\x02"])
        assert await ws.recv() == b"\x00\x01\x02"


@check("compressed with context takeover")
async def _():
    async with connect(f"{BASE}/echo") as ws:
        ext = extensions_of(ws)
        assert ext.startswith("permessage-deflate"), ext
        assert "no_context_takeover" not in ext, ext
        for i in range(20):
            text = f"message {i} " + "abc" * 200
            await ws.send(text)
            assert await ws.recv() == text
        data = os.urandom(5000)
        await ws.send(data)
        assert await ws.recv() == data


@check("compressed without context takeover")
async def _():
    factory = ClientPerMessageDeflateFactory(server_no_context_takeover=True, client_no_context_takeover=True)
    async with connect(f"{BASE}/echo", extensions=[factory]) as ws:
        ext = extensions_of(ws)
        assert "server_no_context_takeover" in ext and "client_no_context_takeover" in ext, ext
        for i in range(20):
            text = f"message {i} " + "xyz" * 300
            await ws.send(text)
            assert await ws.recv() == text


@check("deflate refused with ?deflate=0")
async def _():
    async with connect(f"{BASE}/echo?deflate=0") as ws:
        assert extensions_of(ws) == "", extensions_of(ws)
        await ws.send("plain")
        assert await ws.recv() == "plain"


@check("subprotocol picked from ?protocol=")
async def _():
    async with connect(f"{BASE}/echo?protocol=chat", subprotocols=["superchat", "chat"]) as ws:
        assert ws.subprotocol == "chat", ws.subprotocol


@check("ping answered with pong")
async def _():
    async with connect(f"{BASE}/echo") as ws:
        waiter = await ws.ping(b"are you there")
        latency = await waiter
        assert latency >= 0


@check("close codes echoed")
async def _():
    for code, reason in [(1000, ""), (1001, "going"), (4000, "private"), (3001, "registered")]:
        ws = await connect(f"{BASE}/echo")
        await ws.close(code=code, reason=reason)
        rcvd = ws.protocol.close_rcvd
        assert rcvd is not None and rcvd.code == code and rcvd.reason == reason, f"{code}: {rcvd}"


async def main():
    for run in CHECKS:
        await run()
    failed = 0
    for name, error in results:
        print(f"{'ok  ' if error is None else 'FAIL'} {name}" + ("" if error is None else f": {error}"))
        failed += error is not None
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

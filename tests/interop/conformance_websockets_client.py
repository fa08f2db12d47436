"""PyPI `websockets`' client under `wsinspect conformance server`
(tests/node/conformance.test.js), driven as websockets' own compliance client drives it.

  python3 conformance_websockets_client.py --url ws://127.0.0.1:PORT --agent NAME

/getCaseCount, then each case N at /runCase?case=N&agent=NAME (one after the other), every
message echoed, then /updateReports?agent=NAME. Prints "ran N cases" and exits 0; exits 2
after 100 s, whatever happens.
"""

import argparse
import asyncio
import sys
import urllib.parse

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--agent", required=True)
args = parser.parse_args()
AGENT = urllib.parse.quote(args.agent)


async def run_case(case):
    async with connect(f"{args.url}/runCase?case={case}&agent={AGENT}", max_size=2**25, compression=None) as ws:
        try:
            async for message in ws:
                await ws.send(message)
        except WebSocketException:
            pass


async def main():
    async with connect(f"{args.url}/getCaseCount") as ws:
        count = int(await ws.recv())
    for case in range(1, count + 1):
        try:
            await run_case(case)
        except (WebSocketException, OSError) as e:
            print(f"case {case}: {type(e).__name__}: {e}", file=sys.stderr)
    async with connect(f"{args.url}/updateReports?agent={AGENT}", open_timeout=30):
        pass
    print(f"ran {count} cases", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(asyncio.wait_for(main(), 100))
    except TimeoutError:
        print("conformance_websockets_client: timed out", file=sys.stderr)
        sys.exit(2)

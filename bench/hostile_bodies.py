"""Hostile compressed bodies against the fetcher: what it read, kept in memory and answered.

Usage: .venv/bin/python bench/hostile_bodies.py [--junk-mb 200] [--max-mb 10]

A local web server sends (1) a whole gzip article followed by --junk-mb of junk, and (2) a
deflate stream of empty blocks (which inflates to nothing) of --junk-mb. For each, the bench
prints what the fetcher answered, the bytes the server managed to send, this process's peak
RSS growth and the wall time. The fetcher should stop at the end of the gzip stream and at the
size limit on the wire, whatever the server still has to send.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import resource
import sys
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.core.errors import FetchError  # noqa: E402
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher  # noqa: E402

_CHUNK = 65_000
ARTICLE = b"<html><body><article>" + b"<p>A quiet harbour town.</p>" * 400 + b"</article></html>"


def _gzip_then_junk(chunks: int) -> Iterator[bytes]:
    """A whole gzip article, then junk past its end."""
    yield gzip.compress(ARTICLE)
    for _ in range(chunks):
        yield b"junk" * (_CHUNK // 4)


def _empty_blocks(chunks: int) -> Iterator[bytes]:
    """A deflate stream that never ends and inflates to nothing."""
    yield zlib.compressobj().flush(zlib.Z_SYNC_FLUSH)
    for _ in range(chunks):
        yield b"\x00\x00\x00\xff\xff" * (_CHUNK // 5)


def _handler(
    body: Callable[[int], Iterator[bytes]], encoding: str, chunks: int, sent: list[int]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The one page of a probe: `body` written chunk by chunk, counted in `sent`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Encoding": encoding, "Content-Type": "text/html"}
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        try:
            for chunk in body(chunks):
                await response.write(chunk)
                sent[0] += len(chunk)
        except ConnectionError:
            pass  # the fetcher hung up: the point of the exercise
        return response

    return handle


async def _probe(
    name: str, body: Callable[[int], Iterator[bytes]], encoding: str, args: argparse.Namespace
) -> None:
    """Serve one hostile body, fetch it once, print the figures."""
    sent = [0]
    app = web.Application()
    app.router.add_get("/", _handler(body, encoding, args.junk_mb * 1_000_000 // _CHUNK, sent))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    policy = FetchPolicy(allow_private_networks=True, timeout_s=120, max_bytes=args.max_mb << 20)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    async with SafeFetcher(policy) as fetcher:
        try:
            page = await fetcher.fetch(f"http://127.0.0.1:{port}/")
            outcome = f"page of {len(page.body):,} bytes"
        except FetchError as exc:
            outcome = f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - start
    await asyncio.sleep(0.2)  # let the server notice the closed connection
    await runner.cleanup()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    print(f"{name}: {outcome}")
    print(
        f"  server sent {sent[0] / 1e6:.1f} MB of {args.junk_mb} MB offered; "
        f"peak RSS +{rss_growth:.0f} MB; {elapsed:.2f} s"
    )


async def main() -> None:
    """Run both probes and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junk-mb", type=int, default=200)
    parser.add_argument("--max-mb", type=int, default=10, help="the fetcher's size limit")
    args = parser.parse_args()
    await _probe("gzip article + junk", _gzip_then_junk, "gzip", args)
    await _probe("empty deflate blocks", _empty_blocks, "deflate", args)


if __name__ == "__main__":
    asyncio.run(main())

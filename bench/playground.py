"""How soon a newcomer's playground answers: start-up, then /start and a link's summary.

Usage: .venv/bin/python bench/playground.py [--runs 3]

Each run starts `python -m bot playground --port 0` in a fresh folder (no key: the extractive
mode), waits for its URL line (the bot is polling by then), sends /start and a link to a local
news page through the page's own HTTP actions, and waits for each answer. Prints the median and
the worst of each step in seconds, and the playground process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from tests.servers.article_server import ARTICLE_TITLE, serve_articles  # noqa: E402
from tests.servers.playground_process import start_playground  # noqa: E402

# Extraction workers as a newcomer gets them (one per CPU), not the tests' thread.
PRIVATE_NETWORK = {"FETCH_ALLOW_PRIVATE_NETWORKS": "true", "EXTRACT_WORKERS": ""}


async def _answer(session: aiohttp.ClientSession, text: str, fragment: str) -> float:
    """Seconds from sending `text` as Alice to a bot message containing `fragment`."""
    started = time.perf_counter()
    await session.post("/play/send", json={"chat": "private", "user": "alice", "text": text})
    while True:
        async with session.get("/play/state", params={"chat": "private", "user": "alice"}) as got:
            messages = (await got.json())["messages"]
        if any(m["from"]["is_bot"] and fragment in m.get("text", "") for m in messages):
            return time.perf_counter() - started
        await asyncio.sleep(0.01)


async def _run(folder: Path, link: str) -> tuple[float, float, float]:
    started = time.perf_counter()
    async with start_playground(folder, env=PRIVATE_NETWORK) as running:
        ready = time.perf_counter() - started
        async with aiohttp.ClientSession(base_url=running.url) as session:
            hello = await _answer(session, "/start", "I read articles for you")
            summary = await _answer(session, link, ARTICLE_TITLE)
    return ready, hello, summary


async def main(runs: int) -> None:
    """Run the playground `runs` times and print the figures."""
    results = []
    async with serve_articles() as pages:
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as folder:
                results.append(await _run(Path(folder), pages.url("/article")))
    for name, values in zip(
        ("start-up to URL", "/start answered", "link summarized"),
        zip(*results, strict=True),
        strict=True,
    ):
        print(f"{name:<18} median {statistics.median(values):.2f} s, worst {max(values):.2f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of a playground process: {peak_mb:.0f} MB ({runs} runs)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    asyncio.run(main(parser.parse_args().runs))

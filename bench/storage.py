"""The store with many chats: is each per-request call still as fast at 10,000 chats as at 1,000?

Usage: .venv/bin/python bench/storage.py [--chats 1000,10000] [--messages-per-chat 10]
          [--samples 500] [--backends sqlite,postgres]
          [--postgres postgresql://postgres@127.0.0.1:5432/test]

Each backend is filled through the Store itself, chat by chat: two articles per chat, each with
its summary, and --messages-per-chat messages linked to them (10,000 chats x 10 = 100,000
message links), plus as many answered requests kept for deduplication. At each size it times,
--samples times, the reply-to lookup (`article_for_message` of a random chat's message) and
one request's way through the queue: `accept_requests`, `claim_requests`, `finish_request`.
Printed: p50 and p95 in milliseconds per call and size, and this process's peak memory (for
SQLite it holds the database's page cache too). PostgreSQL runs in a schema of its own,
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench._report import percentile  # noqa: E402
from bot.core.models import Article  # noqa: E402
from bot.core.store.open import open_store  # noqa: E402
from bot.core.store.types import NewRequest, Store  # noqa: E402
from tests.servers.postgres_schema import scratch_schema  # noqa: E402

ARTICLES_PER_CHAT = 2
FIRST_CHAT = 1_000_000
OWNER = "bench"
FILL_AT_ONCE = 20
TEXT = "The harbour council debated the new ferry timetable for the island at length. " * 25
Timings = dict[str, list[float]]


@asynccontextmanager
async def database(backend: str, admin_url: str) -> AsyncIterator[str]:
    """An empty database's URL: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    admin = await asyncpg.connect(admin_url)
    try:
        async with scratch_schema(admin, admin_url, "bench_storage") as url:
            yield url
    finally:
        await admin.close()


class Filler:
    """Adds chats to the store, each with its articles, linked messages and old requests."""

    def __init__(self, store: Store, messages_per_chat: int) -> None:
        self.store = store
        self.chats = 0
        self.messages_per_chat = messages_per_chat
        self.update_id = 0

    async def grow_to(self, chats: int) -> None:
        """Add chats until there are `chats`, FILL_AT_ONCE side by side (PostgreSQL's pool)."""
        while self.chats < chats:
            batch = range(self.chats, min(chats, self.chats + FILL_AT_ONCE))
            await asyncio.gather(*(self._chat(FIRST_CHAT + n) for n in batch))
            self.chats = batch[-1] + 1
            if self.chats % 1000 == 0:
                print(f"  ... {self.chats} chats", flush=True)

    async def _chat(self, chat_id: int) -> None:
        per_article = self.messages_per_chat // ARTICLES_PER_CHAT
        for n in range(ARTICLES_PER_CHAT):
            article = Article(text=TEXT, url=f"https://example.org/{chat_id}/{n}", title=f"T{n}")
            article_id = await self.store.save_article(chat_id, article, article.url or "")
            await self.store.set_summary(article_id, "A summary. " * 20)
            first = n * per_article + 1
            await self.store.link_messages(chat_id, range(first, first + per_article), article_id)
        await self.store.accept_requests(
            [self._request(chat_id, done=True) for _ in range(self.messages_per_chat)]
        )

    def _request(self, chat_id: int, *, done: bool) -> NewRequest:
        self.update_id += 1
        payload = f'{{"update_id": {self.update_id}, "message": {{"text": "hello"}}}}'
        return NewRequest(self.update_id, f"{chat_id}:0", chat_id, payload, done)


async def timed(timings: Timings, name: str, call: Awaitable[Any]) -> Any:
    """Await `call`, adding its duration in milliseconds to `timings[name]`."""
    started = time.perf_counter()
    result = await call
    timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return result


async def sample(filler: Filler, samples: int) -> Timings:
    """Time the per-request calls on random chats of the store as it stands."""
    store, timings = filler.store, {}
    rng = random.Random(filler.chats)
    for _ in range(samples):
        chat = FIRST_CHAT + rng.randrange(filler.chats)
        message = rng.randrange(1, filler.messages_per_chat + 1)
        found = await timed(timings, "reply-to lookup", store.article_for_message(chat, message))
        assert found is not None, "a linked message has no article"
        request = filler._request(chat, done=False)
        await timed(timings, "accept", store.accept_requests([request]))
        claimed = await timed(timings, "claim", store.claim_requests(OWNER, 60.0, 1))
        assert claimed, "the request just accepted was not claimed"
        await timed(timings, "finish", store.finish_request(claimed[0].id, OWNER))
    return timings


def print_timings(backend: str, chats: int, links: int, timings: Timings) -> None:
    """One line per size: p50/p95 of each call."""
    figures = ", ".join(
        f"{name} {percentile(values, 0.5):.2f}/{percentile(values, 0.95):.2f}"
        for name, values in timings.items()
    )
    print(f"{backend:8} {chats:6} chats, {links:7} message links: p50/p95 ms: {figures}")


async def bench_backend(backend: str, args: argparse.Namespace) -> None:
    """Fill one backend size by size, timing at each."""
    async with database(backend, args.postgres) as url:
        store = await open_store(url)
        try:
            filler = Filler(store, args.messages_per_chat)
            for chats in sorted(int(n) for n in args.chats.split(",")):
                started = time.monotonic()
                await filler.grow_to(chats)
                print(f"  filled to {chats} chats in {time.monotonic() - started:.0f} s")
                timings = await sample(filler, args.samples)
                print_timings(backend, chats, chats * args.messages_per_chat, timings)
        finally:
            await store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{backend:8} peak memory of this process so far: {peak_mb:.0f} MB")


async def run_all(args: argparse.Namespace) -> None:
    """Each backend in turn."""
    print(
        f"settings: chats {args.chats}, {args.messages_per_chat} linked messages and as many"
        f" answered requests per chat, {ARTICLES_PER_CHAT} articles per chat,"
        f" {args.samples} samples per size; PostgreSQL {args.postgres.rsplit('@', 1)[-1]}"
    )
    for backend in args.backends.split(","):
        await bench_backend(backend, args)


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--chats", default="1000,10000", help="sizes to time at (1000,10000)")
    parser.add_argument("--messages-per-chat", type=int, default=10, help="linked messages (10)")
    parser.add_argument("--samples", type=int, default=500, help="calls timed per size (500)")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL URL whose user may create schemas",
    )
    asyncio.run(run_all(parser.parse_args()))


if __name__ == "__main__":
    main()

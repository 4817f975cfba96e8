"""Digests and the shared summary cache: model calls, tokens and wall time.

Usage: .venv/bin/python bench/digest.py [--posts 1000] [--articles 200] [--llm-delay 0.5]
          [--chats 20] [--same 50] [--pages-kb 30] [--schedules 1000] [--per-group 5]

Everything runs on 127.0.0.1 in this process: a web server with one distinct news page per
article, a fake OpenAI-compatible server answering after --llm-delay seconds, and the real
service (fetcher, extraction workers, SQLite store, summary cache). Two measurements:

1. A group's week: --posts links shared over seven days, --articles distinct ones (each shared
   several times, some with tracking parameters), then the digest built cold (every line made
   by the model) and again with the cache warm.
2. --chats chats asking at the same moment for the same --same articles: how many model calls
   the single flight leaves (the target is one per article).
3. A busy minute (bench/_schedules.py): --schedules groups' digests due at 09:00, posted by the
   real bot within Telegram's limits: time until the last is out, messages per second, calls.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from telegram import Chat  # noqa: E402

from bench._pages import page_html  # noqa: E402
from bench._schedules import busy_minute  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.digest.build import Digest  # noqa: E402
from bot.core.service import Service  # noqa: E402
from bot.core.store.types import SharedLink, UserPrefs  # noqa: E402
from bot.telegram.digest_render import digest_messages  # noqa: E402
from tests.servers.article_server import ArticleServer, serve_articles  # noqa: E402
from tests.servers.openai_server import FakeOpenAI, serve_openai  # noqa: E402

GROUP = -1001000000001


@asynccontextmanager
async def _service(database: Path, llm_delay: float) -> AsyncIterator[tuple[Service, FakeOpenAI]]:
    """The real service on a fresh SQLite file, its model a fake server of its own."""
    async with serve_openai() as openai:
        openai.delay_s = llm_delay
        settings = load_settings(
            database_url=f"sqlite:///{database}",
            openai_api_key="sk-bench",
            openai_base_url=openai.base_url,
            llm_model="gpt-4o-mini",
            llm_max_concurrency=64,
            fetch_allow_private_networks=True,
        )
        service = await Service.open(settings.service_config())
        try:
            yield service, openai
        finally:
            await service.aclose()


def _week_of_posts(urls: list[str], posts: int, now: datetime) -> list[SharedLink]:
    """`posts` shares spread evenly over the week, cycling through the articles."""
    step = timedelta(days=7) / posts
    links = []
    for n in range(posts):
        url = urls[n % len(urls)]
        if n % 7 == 3:
            url += "?utm_source=channel"  # the same article under another link
        at = now - timedelta(days=7) + step * (n + 1)
        links.append(SharedLink(GROUP, 0, 10_000 + n, url, 1_000 + n % 40, at))
    return links


async def _timed_digest(service: Service, since: datetime) -> tuple[Digest, float]:
    started = time.perf_counter()
    digest = await service.digests.digest(GROUP, 0, since, None)
    return digest, time.perf_counter() - started


def _print_digest(label: str, digest: Digest, seconds: float, calls: int) -> None:
    chat = Chat(GROUP, "supergroup")
    messages = digest_messages(digest, chat, datetime.now(UTC), "en")
    usage = digest.usage
    print(
        f"  {label:<6} {seconds:7.2f} s  {calls:4d} LLM calls  {usage.prompt_tokens:8d} prompt"
        f" + {usage.completion_tokens:6d} completion tokens  {len(digest.entries)} items,"
        f" {len(digest.unreadable)} unreadable, {len(messages)} messages"
    )


async def _week(args: argparse.Namespace, articles: ArticleServer, workdir: Path) -> None:
    async with _service(workdir / "week.db", args.llm_delay) as (service, openai):
        urls = [articles.url(f"/news/{n}") for n in range(args.articles)]
        now = datetime.now(UTC)
        await service.digests.collect_links(_week_of_posts(urls, args.posts, now))
        print(f"A week of a group: {args.posts} posts, {args.articles} distinct articles")
        since = now - timedelta(days=7)
        cold, seconds = await _timed_digest(service, since)
        _print_digest("cold", cold, seconds, len(openai.requests))
        before = len(openai.requests)
        warm, seconds = await _timed_digest(service, since)
        _print_digest("warm", warm, seconds, len(openai.requests) - before)


async def _same_articles(args: argparse.Namespace, articles: ArticleServer, workdir: Path) -> None:
    async with _service(workdir / "chats.db", args.llm_delay) as (service, openai):
        urls = [articles.url(f"/news/{n}") for n in range(args.same)]

        async def ask(url: str) -> None:
            article = await service.read_url(url)
            await service.summarize(article, UserPrefs())

        started = time.perf_counter()
        # Each chat asks for every article: the chats are only how many times each is asked.
        await asyncio.gather(*(ask(url) for _ in range(args.chats) for url in urls))
        seconds = time.perf_counter() - started
        asks = args.chats * args.same
        print(f"{args.chats} chats asking for the same {args.same} articles at once ({asks} asks)")
        print(
            f"  {seconds:7.2f} s  {len(openai.requests)} LLM calls (target {args.same}),"
            f" at most {openai.max_in_flight} at once"
        )


async def main(args: argparse.Namespace) -> None:
    """Serve the pages, then run the three measurements."""
    async with serve_articles() as articles:
        for n in range(max(args.articles, args.same)):
            articles.add_page(f"/news/{n}", page_html(n, args.pages_kb), "text/html; charset=utf-8")
        with tempfile.TemporaryDirectory() as folder:
            await _week(args, articles, Path(folder))
            await _same_articles(args, articles, Path(folder))
            await busy_minute(args, articles, Path(folder))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--llm-delay", type=float, default=0.5, help="seconds per model reply")
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--same", type=int, default=50, help="articles every chat asks for")
    parser.add_argument("--pages-kb", type=int, default=30)
    parser.add_argument("--schedules", type=int, default=1000, help="digests due at once")
    parser.add_argument("--per-group", type=int, default=5, help="links each group shared")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(_arguments()))

"""The busy minute of bench/digest.py: --schedules groups whose digests all fall due at 09:00.

The real bot (emulated Bot API at Telegram's 30 messages a second, fake model, its own SQLite
file) on a clock that stands at 09:00 Berlin time: each group shared --per-group links out of
--same articles, so the shared summary cache should leave one model call per article.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.digest.schedule import parse_schedule
from bot.core.store.open import open_store
from bot.core.store.types import SharedLink
from bot.playground.emulator.server import TelegramServer, serve_telegram
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import ManualClock, bot_settings, running_bot
from tests.servers.openai_server import serve_openai

SPEC = "daily 09:00 Europe/Berlin"
FIRST_GROUP = -1002000000000
TELEGRAM_RATE = 30.0  # messages per second, Telegram's limit for a bot


async def _prepare(
    url: str, args: argparse.Namespace, articles: ArticleServer, at: datetime
) -> None:
    """The groups' shared links and their schedules, due at `at`."""
    store = await open_store(url)
    try:
        links = [
            SharedLink(
                FIRST_GROUP - group,
                0,
                n + 1,
                articles.url(f"/news/{(group + n) % args.same}"),
                1000 + n,
                at - timedelta(hours=1),  # within the period the digest covers
            )
            for group in range(args.schedules)
            for n in range(args.per_group)
        ]
        await store.add_shared_links(links)
        for group in range(args.schedules):
            await store.set_schedule(FIRST_GROUP - group, 0, SPEC, at)
    finally:
        await store.close()


def _posts(telegram: TelegramServer) -> list[float]:
    return [
        t
        for (name, _), t in zip(telegram.calls, telegram.call_times, strict=True)
        if name == "sendMessage"
    ]


async def busy_minute(args: argparse.Namespace, articles: ArticleServer, workdir: Path) -> None:
    """Fire every schedule at once and report how the digests went out."""
    nine = parse_schedule(SPEC.split()).next_after(datetime.now(UTC))
    url = f"sqlite:///{workdir / 'schedules.db'}"
    await _prepare(url, args, articles, nine)
    async with serve_telegram() as telegram, serve_openai() as openai:
        openai.delay_s = args.llm_delay
        for group in range(args.schedules):
            telegram.group(FIRST_GROUP - group)
        settings = bot_settings(
            telegram,
            openai,
            workdir / "schedules.db",
            telegram_max_messages_per_second=TELEGRAM_RATE,
            digest_schedule_tick_s=0.5,
        )
        async with running_bot(settings, now=ManualClock(nine)):
            started = time.monotonic()
            await telegram.wait_for(
                lambda: len(_posts(telegram)) >= args.schedules, timeout=args.schedules
            )
            seconds = time.monotonic() - started
    posts = _posts(telegram)
    spread = posts[-1] - posts[0]
    print(
        f"{args.schedules} schedules due at 09:00, {args.per_group} links each ({args.same} articles)"
    )
    print(
        f"  last digest out after {seconds:6.1f} s; {len(posts)} messages at"
        f" {len(posts) / spread if spread else float('inf'):5.1f}/s (limit {TELEGRAM_RATE:.0f}/s);"
        f" {len(openai.requests)} LLM calls (target {args.same})"
    )

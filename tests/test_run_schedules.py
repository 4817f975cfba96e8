"""Scheduled digests in real `summarybot run` processes: one killed (-9) in the middle of a
three-part digest (the next posts parts 2 and 3 only), and two on one PostgreSQL (one post)."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bot.core.digest.schedule import parse_schedule
from bot.core.store.open import open_store
from bot.core.store.types import SharedLink
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import bot_texts
from tests.servers.openai_server import FakeOpenAI
from tests.test_run import _bot_process, _exit_code_after_sigterm
from tests.test_store import postgres_schema

GROUP = -100888
PARTS = ["<b>Digest</b> part one", "part two", "part three"]
# A short lease and tick: a killed process's run is taken over a second after it died.
ENVIRONMENT = {"REQUEST_LEASE_S": "1", "DIGEST_SCHEDULE_TICK_S": "0.2"}


def _sent(database: Path) -> int:
    with closing(sqlite3.connect(database)) as db:
        row = db.execute("SELECT sent FROM digest_runs").fetchone()
    return int(row[0]) if row else 0


async def _wait_until_done(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        sql = "SELECT count(*) FROM digest_runs WHERE done_at IS NOT NULL"
        while not await connection.fetchval(sql):  # noqa: ASYNC110 -- another process's rows
            await asyncio.sleep(0.05)
    finally:
        await connection.close()


async def _collected_run(database: Path) -> None:
    """A run due a minute ago whose three parts were composed (by a process that then died)."""
    now = datetime.now(UTC)
    spec = f"daily {now - timedelta(minutes=1):%H:%M} UTC"
    schedule = parse_schedule(spec.split())
    store = await open_store(f"sqlite:///{database}")
    try:
        await store.set_schedule(GROUP, 0, spec, schedule.latest_at_or_before(now))
        (due,) = await store.due_schedules(now, 10)
        await store.open_run(due, due.next_at, False, schedule.next_after(now))
        (run,) = await store.claim_runs("collector", 0.0, now, 10)
        await store.set_run_parts(run.id, PARTS)
    finally:
        await store.close()


async def test_a_digest_killed_after_part_one_sends_only_parts_two_and_three(
    telegram_server: TelegramServer, tmp_path: Path
) -> None:
    telegram_server.group(GROUP)
    database = tmp_path / "bot.db"
    await _collected_run(database)
    # Each post takes a second, so the test blocks part two before it is handled.
    telegram_server.slow_method("sendMessage", 1.0)
    async with _bot_process(telegram_server, tmp_path, **ENVIRONMENT) as process:
        await telegram_server.wait_for(lambda: bot_texts(telegram_server, GROUP), timeout=30)
        telegram_server.fail_next(
            "sendMessage", error_code=500, description="Internal Server Error", times=1000
        )
        await telegram_server.wait_for(lambda: _sent(database) == 1, timeout=15)
        process.kill()
    # Every post the killed process began met the fault: none is left in flight.
    faults = telegram_server.faults["sendmessage"]
    await telegram_server.wait_for(
        lambda: 1000 - len(faults) == len(telegram_server.calls_of("sendMessage")) - 1
    )
    telegram_server.faults.clear()
    telegram_server.slow_method("sendMessage", 0.0)
    async with _bot_process(
        telegram_server, tmp_path, log_name="bot2.log", **ENVIRONMENT
    ) as process:
        await telegram_server.wait_for(lambda: _sent(database) == 3, timeout=30)
        assert await _exit_code_after_sigterm(process, within_s=15) == 0
    assert bot_texts(telegram_server, GROUP) == ["Digest part one", "part two", "part three"]


async def test_two_processes_on_one_postgresql_post_a_due_digest_once(
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    tmp_path: Path,
) -> None:
    telegram_server.group(GROUP)
    now = datetime.now(UTC)
    spec = f"daily {now - timedelta(minutes=1):%H:%M} UTC"
    async with postgres_schema("test_schedules") as url:
        store = await open_store(url)
        try:
            link = SharedLink(GROUP, 0, 7, article_server.url("/article"), 1001, now)
            await store.add_shared_links([link])
            due = parse_schedule(spec.split()).latest_at_or_before(now)
            await store.set_schedule(GROUP, 0, spec, due)
        finally:
            await store.close()
        environment = ENVIRONMENT | {
            "DATABASE_URL": url,
            "OPENAI_BASE_URL": openai_server.base_url,
            "OPENAI_API_KEY": "sk-x",
        }
        async with (
            _bot_process(telegram_server, tmp_path, log_name="a.log", **environment) as first,
            _bot_process(telegram_server, tmp_path, log_name="b.log", **environment) as second,
        ):
            await telegram_server.wait_for(lambda: bot_texts(telegram_server, GROUP), timeout=30)
            # Once the run is done and both stopped, a second post would have been seen.
            await _wait_until_done(url)
            # Both started (each deletes the webhook once, after its signal handlers are set).
            await telegram_server.wait_for(
                lambda: len(telegram_server.calls_of("deleteWebhook")) == 2
            )
            assert await _exit_code_after_sigterm(first, within_s=15) == 0
            assert await _exit_code_after_sigterm(second, within_s=15) == 0
    (digest,) = bot_texts(telegram_server, GROUP)
    assert ARTICLE_TITLE in digest
    assert len(openai_server.requests) == 1  # the article was summarized once

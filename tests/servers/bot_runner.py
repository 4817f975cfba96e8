"""Run the real summarybot Application against the local servers (Bot API, LLM, web pages)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.config import Settings, load_settings
from bot.core.store import clock
from bot.core.usage.budgets import Clock
from bot.playground.emulator.server import TelegramServer
from bot.telegram.app import build_bot
from tests.servers.openai_server import FakeOpenAI

DRAIN_S = 10.0
# The end-to-end tests' database: SQLite by default; CI runs them again with "postgres".
BACKEND = os.environ.get("TEST_BOT_BACKEND", "sqlite")
BotFactory = Callable[..., AbstractAsyncContextManager[Application]]  # type: ignore[type-arg]


def bot_settings(
    telegram: TelegramServer, llm: FakeOpenAI | None, database: Path, **overrides: Any
) -> Settings:
    """Settings that point the bot at the emulator, the fake LLM and a private database."""
    values: dict[str, Any] = {
        "telegram_bot_token": telegram.token,
        "telegram_api_base_url": telegram.root,
        # Never the real t.me: a test that reads previews serves them (chats.tme).
        "telegram_web_base_url": telegram.root,
        "database_url": f"sqlite:///{database}",
        "fetch_allow_private_networks": True,
        "fetch_timeout_s": 5.0,
        "llm_timeout_s": 5.0,
        "llm_max_retries": 1,
        "llm_model": "gpt-4o-mini",
        "telegram_max_messages_per_second": 1000.0,
        # Many short-lived bots: a thread skips starting worker processes for each one
        # (tests/test_workers.py covers the pool, including a bot that uses it).
        "extract_workers": 0,
    }
    if llm is not None:
        values |= {"openai_api_key": "sk-test", "openai_base_url": llm.base_url}
    return load_settings(**(values | overrides))


@asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    paste_window_s: float = 0.3,
    stream_interval_s: float = 0.05,
    now: Clock = clock.now,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start the bot exactly as `summarybot run` would (post_init included), stop it cleanly;
    `now` is the clock of its budgets, rate limits and notices."""
    bot = build_bot(
        settings, paste_window_s=paste_window_s, stream_interval_s=stream_interval_s, now=now
    )
    async with bot.polling(timeout_s=0.2) as application:
        yield application
        # Replies whose preview a test waited for still get their final text before the stop.
        await asyncio.wait_for(bot.work.drain(), DRAIN_S)


@pytest.fixture
async def make_bot(
    telegram_server: TelegramServer, openai_server: FakeOpenAI, tmp_path: Path
) -> AsyncIterator[BotFactory]:
    """`async with make_bot(**settings) as app:` runs the bot; `llm=False` runs it without an LLM.

    Every bot of a test shares its database (a restart finds what the last run stored)."""
    async with _database(tmp_path / "bot.db") as url:

        def factory(
            *, llm: bool = True, **overrides: Any
        ) -> AbstractAsyncContextManager[Application]:  # type: ignore[type-arg]
            timing = {
                k: overrides.pop(k)
                for k in ("paste_window_s", "stream_interval_s", "now")
                if k in overrides
            }
            fake = openai_server if llm else None
            values = {"database_url": url} | overrides
            settings = bot_settings(telegram_server, fake, tmp_path / "bot.db", **values)
            return running_bot(settings, **timing)

        yield factory


@asynccontextmanager
async def _database(path: Path) -> AsyncIterator[str]:
    """A test's database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if BACKEND != "postgres":
        yield f"sqlite:///{path}"
        return
    from tests.test_store import postgres_schema  # the store tests' fixture, fails in CI

    async with postgres_schema("test_bot") as url:
        yield url


class ManualClock:
    """A clock the test moves by hand, for budgets' days and months and rate limits."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        """Move the time forward (timedelta's keywords)."""
        self.moment += timedelta(**delta)


def bot_texts(telegram: TelegramServer, chat_id: int) -> list[str]:
    """The texts of the bot's messages in a chat as they stand now (after edits)."""
    return [message.get("text", "") for message in telegram.messages(chat_id)]


async def wait_for_text(
    telegram: TelegramServer,
    fragment: str,
    chat_id: int,
    timeout: float = 10.0,  # noqa: ASYNC109 -- a polling deadline, like TelegramServer.wait_for
) -> dict[str, Any]:
    """Wait until one of the bot's messages in the chat contains `fragment`; return it."""

    def found() -> dict[str, Any] | None:
        return next((m for m in telegram.messages(chat_id) if fragment in m.get("text", "")), None)

    message: dict[str, Any] = await telegram.wait_for(found, timeout=timeout)
    return message

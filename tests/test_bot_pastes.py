"""Split pastes merged through the store: parts received by different processes, or queued."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from telegram import Update

from bot.playground.emulator.server import TelegramServer
from bot.telegram.app import SummaryBot, build_bot
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, bot_settings, bot_texts, wait_for_text
from tests.servers.openai_server import FakeOpenAI, all_messages
from tests.test_store import database_url

__all__ = ["database_url"]  # the fixture: a SQLite file, or a PostgreSQL schema

CHAT = 1001
SENTENCE = "The harbour council debated the new ferry timetable for the island at length. "
WHOLE = SENTENCE * 110 + "The final paragraph mentions the lighthouse keeper Oskar."
PARTS = [WHOLE[:4096], WHOLE[4096:8192], WHOLE[8192:]]


def _summaries(telegram: TelegramServer, chat_id: int) -> int:
    return sum("Summary:" in t for t in bot_texts(telegram, chat_id))


def _merged(openai_server: FakeOpenAI) -> bool:
    """One summary call held the whole paste."""
    pasted = [all_messages(b) for b in openai_server.requests if "ferry timetable" in str(b)]
    return len(pasted) == 1 and "lighthouse keeper Oskar" in pasted[0]


@contextlib.asynccontextmanager
async def _replica(
    telegram: TelegramServer, llm: FakeOpenAI, url: str
) -> AsyncIterator[SummaryBot]:
    """One more bot process's worth of bot, on the shared database."""
    settings = bot_settings(telegram, llm, Path("unused.db"), database_url=url)
    bot = build_bot(settings, paste_window_s=1.0, stream_interval_s=0.05)
    async with bot.polling(timeout_s=0.2):
        yield bot
        await bot.work.drain()


def _held_back(telegram: TelegramServer, text: str) -> dict[str, Any]:
    """A user's message as an update that no poller takes: the test hands it to a replica."""
    telegram.send_message(CHAT, text)
    return telegram.updates.pop()


async def test_parts_received_by_different_replicas_are_merged(
    telegram_server: TelegramServer, openai_server: FakeOpenAI, database_url: str
) -> None:
    updates = [_held_back(telegram_server, part) for part in PARTS]
    async with (
        _replica(telegram_server, openai_server, database_url) as first,
        _replica(telegram_server, openai_server, database_url) as second,
    ):
        # A load balancer spreads the parts: first, second, first.
        for bot, update in zip((first, second, first), updates, strict=True):
            await bot.intake.accept([Update.de_json(update, bot.application.bot)])
        await telegram_server.wait_for(lambda: _summaries(telegram_server, CHAT) == 1)
    assert _merged(openai_server)
    assert _summaries(telegram_server, CHAT) == 1


async def test_a_paste_sent_while_the_chat_is_busy_is_merged_when_its_turn_comes(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.delay_s = 1.5
    async with make_bot(paste_window_s=1.0):
        telegram_server.send_message(CHAT, article_server.url("/article"))
        await telegram_server.wait_for(lambda: openai_server.requests)
        for part in PARTS:
            telegram_server.send_message(CHAT, part)
        await telegram_server.wait_for(lambda: _summaries(telegram_server, CHAT) == 2, timeout=30)
    assert _merged(openai_server)
    assert len(openai_server.requests) == 2
    notes = [t for t in bot_texts(telegram_server, CHAT) if "still working" in t]
    assert len(notes) == 1  # for the paste, not for each of its parts


async def test_a_message_after_the_window_is_not_swallowed(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    question = "Who keeps the lighthouse?"
    openai_server.responder = lambda body: (
        "Oskar does." if question in all_messages(body) else "**Gist.**\n\n- Point"
    )
    async with make_bot(paste_window_s=0.3):
        telegram_server.send_message(CHAT, PARTS[0])
        await wait_for_text(telegram_server, "Gist.", CHAT)
        telegram_server.send_message(CHAT, question)
        await wait_for_text(telegram_server, "Oskar does.", CHAT)
    assert sum(question in all_messages(body) for body in openai_server.requests) == 1

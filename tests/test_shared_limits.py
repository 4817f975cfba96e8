"""Telegram's limits for the bot as a whole: processes on one database share them."""

from __future__ import annotations

import asyncio
import time

from bot.core.store.open import open_store
from bot.core.store.types import ClaimedRequest
from bot.core.work.dispatcher import Dispatcher, WorkConfig
from bot.playground.emulator.server import TelegramServer
from bot.telegram.limits import SharedRateLimiter
from bot.telegram.stream import PreviewPacer, ReplyStream, Target
from tests.servers.bot_runner import BotFactory
from tests.test_store import database_url

__all__ = ["database_url"]  # the fixture: a SQLite file, or a PostgreSQL schema

CONFIG = WorkConfig(idle_poll_s=3600, heartbeat_s=0.05)
DEADLINE_S = 30.0  # a failure deadline for a busy machine, not a speed check


async def _never(request: ClaimedRequest) -> None:
    raise AssertionError("no request was stored")


async def _until(limiter: SharedRateLimiter, rates: tuple[float, float]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while limiter.rates() != rates:
        assert time.monotonic() < deadline, f"{limiter.rates()} is not {rates}"
        await asyncio.sleep(0.02)


async def test_two_processes_each_take_half_of_the_bots_limits(database_url: str) -> None:
    stores = [await open_store(database_url) for _ in range(2)]
    limiters = [SharedRateLimiter(30.0) for _ in range(2)]
    dispatchers = [
        Dispatcher(store, _never, CONFIG, limiter.share)
        for store, limiter in zip(stores, limiters, strict=True)
    ]
    try:
        dispatchers[0].start()
        await _until(limiters[0], (30.0, 20.0))  # alone: the whole of Telegram's limits
        dispatchers[1].start()
        for limiter in limiters:
            await _until(limiter, (15.0, 10.0))
        await dispatchers[1].stop()  # it leaves: the other takes its share back
        await _until(limiters[0], (30.0, 20.0))
    finally:
        for dispatcher in dispatchers:
            await dispatcher.stop()
        for store in stores:
            await store.close()


def test_a_share_below_one_message_waits_longer_instead() -> None:
    limiter = SharedRateLimiter(30.0)
    limiter.share(40)
    overall, group = limiter.rates()
    assert (round(overall, 6), round(group, 6)) == (0.75, 0.5)


async def test_the_bot_sends_at_the_whole_rate_when_it_runs_alone(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    async with make_bot(telegram_max_messages_per_second=12.0) as application:
        limiter = application.bot.rate_limiter
        assert isinstance(limiter, SharedRateLimiter)
        await _until(limiter, (12.0, 20.0))
        assert limiter.replicas == 1


async def test_in_a_burst_no_reply_waits_behind_a_typing_action_or_a_draft(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    rate, chats = 4, range(1, 7)
    for chat in chats:
        telegram_server.chat(chat)
    async with make_bot(telegram_max_messages_per_second=float(rate)) as application:
        bot = application.bot
        await asyncio.sleep(1.0)  # the start-up calls drain from the bucket (not a bound)
        first = len(telegram_server.calls)
        # Progress asked for first, as streams do while the replies are still being written.
        await asyncio.gather(
            *(bot.send_chat_action(chat, "typing") for chat in chats),
            *(bot.send_message_draft(chat, chat, f"preview {chat}") for chat in chats),
            *(bot.send_message(chat, f"reply {chat}") for chat in chats),
        )
    sent = ("sendMessage", "sendChatAction", "sendMessageDraft")
    burst = [name for name, _ in telegram_server.calls[first:] if name in sent]
    replies = [i for i, name in enumerate(burst) if name == "sendMessage"]
    progress = [i for i, name in enumerate(burst) if name != "sendMessage"]
    assert len(replies) == len(chats)
    # Progress went out only while the first bucket had room to spare (those calls reach the
    # server in any order), then was skipped: no reply waited for a refill behind progress.
    assert len(progress) < rate
    assert all(index < rate for index in progress)


async def test_in_a_burst_no_final_text_waits_behind_a_preview_edit(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    rate, writing, finishing = 3, range(-101, -105, -1), range(-201, -203, -1)
    for chat in (*writing, *finishing):
        telegram_server.group(chat)
    async with make_bot(telegram_max_messages_per_second=float(rate)) as application:
        pacer = PreviewPacer(min_interval_s=60.0)  # one preview each: the pump waits after it
        streams = {
            chat: ReplyStream(application.bot, Target(chat, private=False), "…", pacer)
            for chat in (*writing, *finishing)
        }
        for stream in streams.values():
            await stream.start()  # groups: a placeholder that previews and the reply edit
        await asyncio.sleep(1.0)  # the placeholders drain from the bucket (not a bound)
        first = len(telegram_server.calls)
        # Replies still being written preview their text as the others' final texts go out.
        for chat in writing:
            await streams[chat].push("a preview")
        await asyncio.gather(*(streams[chat].finish("the reply") for chat in finishing))
        burst = [
            p["text"] for name, p in telegram_server.calls[first:] if name == "editMessageText"
        ]
        for chat in writing:
            await streams[chat].finish("the reply")
    replies = [i for i, said in enumerate(burst) if said == "the reply"]
    previews = [i for i, said in enumerate(burst) if said == "a preview"]
    assert len(replies) == len(finishing)
    # Previews went out only while the first bucket had room to spare, then were skipped: no
    # final text waited for a refill behind a preview (the same method, editMessageText).
    assert len(previews) < rate
    assert all(index < rate for index in previews)

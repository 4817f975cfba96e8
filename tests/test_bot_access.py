"""Allow-lists end to end: private chats, groups with and without allowed admins, bot admins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, ManualClock, bot_texts, wait_for_text
from tests.servers.openai_server import FakeOpenAI

GROUP = -100555
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice", "username": "alice"}
BOB: dict[str, Any] = {"id": 2002, "is_bot": False, "first_name": "Bob", "username": "Bob_B"}
CAROL: dict[str, Any] = {"id": 3003, "is_bot": False, "first_name": "Carol"}
PRIVATE_NOTICE = "this bot is private"


def _mention(server: ArticleServer) -> str:
    return f"@summary_test_bot {server.url('/article')}"


async def test_someone_not_allowed_is_told_once_a_day_in_private(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    clock = ManualClock(datetime(2026, 5, 4, 10, tzinfo=UTC))
    async with make_bot(allowed_users="@alice, 42", now=clock):
        telegram_server.send_message(BOB["id"], "hello", user=BOB)
        await wait_for_text(telegram_server, PRIVATE_NOTICE, BOB["id"])
        telegram_server.send_message(BOB["id"], "/start", user=BOB)
        telegram_server.send_message(ALICE["id"], "/start", user=ALICE)  # a marker after Bob's
        await wait_for_text(telegram_server, "I read articles", ALICE["id"])
        clock.advance(hours=23)
        telegram_server.send_message(BOB["id"], "still there?", user=BOB)
        telegram_server.send_message(ALICE["id"], "/help", user=ALICE)
        await telegram_server.wait_for(lambda: len(telegram_server.messages(ALICE["id"])) == 2)
        assert len(telegram_server.messages(BOB["id"])) == 1
        clock.advance(hours=1, seconds=1)
        telegram_server.send_message(BOB["id"], "and now?", user=BOB)
        await telegram_server.wait_for(lambda: len(telegram_server.messages(BOB["id"])) == 2)
    assert all(PRIVATE_NOTICE in t and "2002" in t for t in bot_texts(telegram_server, BOB["id"]))
    assert openai_server.requests == []


async def test_bot_admins_are_always_allowed(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(allowed_users="42", admin_users="@BOB_b"):
        telegram_server.send_message(BOB["id"], article_server.url("/article"), user=BOB)
        await wait_for_text(telegram_server, "Summary:", BOB["id"])


async def test_a_group_without_an_allowed_admin_hears_one_message_and_is_left(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    telegram_server.set_admins(GROUP, [BOB])
    async with make_bot(allowed_users="@alice"):
        telegram_server.send_message(
            GROUP, _mention(article_server), user=ALICE, chat_type="supergroup"
        )
        await telegram_server.wait_for_call("leaveChat")
    assert bot_texts(telegram_server, GROUP) == [
        "This bot is private, and none of this group's admins may use it, so I am leaving "
        "the group. Goodbye!"
    ]
    assert telegram_server.calls_of("leaveChat")[0]["chat_id"] == GROUP


async def test_a_bot_admin_is_served_in_any_group(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    telegram_server.set_admins(GROUP, [BOB])
    async with make_bot(allowed_users="42", admin_users="@alice"):
        telegram_server.send_message(
            GROUP, _mention(article_server), user=ALICE, chat_type="supergroup"
        )
        await wait_for_text(telegram_server, "Summary:", GROUP)
    assert telegram_server.calls_of("leaveChat") == []


async def test_in_a_group_with_an_allowed_admin_only_allowed_users_are_served(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.set_admins(GROUP, [ALICE])
    async with make_bot(allowed_users="@alice"):
        telegram_server.send_message(
            GROUP, _mention(article_server), user=BOB, chat_type="supergroup"
        )
        telegram_server.send_message(
            GROUP, _mention(article_server), user=ALICE, chat_type="supergroup"
        )
        await wait_for_text(telegram_server, "Summary:", GROUP)
    assert len(openai_server.requests) == 1  # Bob met silence
    assert len(telegram_server.messages(GROUP)) == 1
    assert telegram_server.calls_of("leaveChat") == []


async def test_everyone_in_an_allowed_chat_is_served(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.set_admins(GROUP, [BOB])
    async with make_bot(allowed_users="@alice", allowed_chats=str(GROUP)):
        telegram_server.send_message(
            GROUP, _mention(article_server), user=CAROL, chat_type="supergroup"
        )
        await wait_for_text(telegram_server, "Summary:", GROUP)
    assert telegram_server.calls_of("leaveChat") == []


@pytest.mark.parametrize("value", ["alice", "@", "12a", "@al ice"])
def test_a_bad_allow_list_entry_is_refused_at_start_with_its_name(value: str) -> None:
    with pytest.raises(ConfigError, match=r"ALLOWED_USERS:.*numeric id nor an @username"):
        load_settings(allowed_users=f"42, {value}")


async def test_no_busy_note_reaches_someone_not_allowed_in_a_group(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.set_admins(GROUP, [ALICE])
    openai_server.delay_s = 1.0
    async with make_bot(allowed_users="@alice"):
        for copy, user in enumerate((ALICE, BOB, ALICE)):
            # Another address each time: the same article twice would come from the cache.
            link = f"@summary_test_bot {article_server.url(f'/article?copy={copy}')}"
            telegram_server.send_message(GROUP, link, user=user, chat_type="supergroup")
            await telegram_server.wait_for(lambda: openai_server.requests)  # Alice's is running
        await wait_for_text(telegram_server, "still working", GROUP)
        await telegram_server.wait_for(lambda: len(openai_server.requests) == 2)
    notes = [m for m in telegram_server.messages(GROUP) if "still working" in m["text"]]
    assert len(notes) == 1  # Alice's second message; Bob's met silence
    assert notes[0]["reply_to_message"]["from"]["id"] == ALICE["id"]

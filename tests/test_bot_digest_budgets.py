"""A digest's one-line summaries are metered like summaries: their tokens count against the
chat (and the member who asked), and a chat whose budget is used up gets extractive lines; a
scheduled digest too, against the group, or the user of a private chat or a channel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, ManualClock, wait_for_text
from tests.servers.chats import (
    ALICE,
    BOB,
    CHANNEL,
    FAST,
    GROUP,
    ask,
    say,
    soon,
    story,
    today_tokens,
)
from tests.servers.openai_server import FakeOpenAI


async def test_a_digests_tokens_count_in_the_chats_usage(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
    async with make_bot(budget_chat_monthly_tokens=10**6):
        say(telegram_server, f"look {story(article_server, '/ferry')}", user=BOB)
        say(telegram_server, "/usage")
        before = await wait_for_text(telegram_server, "This chat's usage", GROUP)
        say(telegram_server, "/digest", user=BOB)
        await wait_for_text(telegram_server, "Digest", GROUP)
        say(telegram_server, "/usage")

        def usage_now() -> dict[str, Any] | None:
            found = [m for m in telegram_server.messages(GROUP) if "usage" in m["text"]]
            return found[-1] if len(found) == 2 else None

        after = await telegram_server.wait_for(usage_now)
    assert len(openai_server.requests) == 1
    assert today_tokens(before["text"]) == 0
    assert today_tokens(after["text"]) > 100


async def test_a_chat_out_of_budget_gets_extractive_lines_labelled(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(GROUP, members=[ALICE, BOB])
    async with make_bot(budget_chat_daily_tokens=1):
        say(telegram_server, f"look {story(article_server, '/ferry')}")
        say(telegram_server, "/digest", user=BOB)
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    assert openai_server.requests == []
    assert "No model wrote these lines" in digest["text"]
    assert "ferry" in digest["text"].lower()


async def _scheduled_digest(
    telegram_server: TelegramServer, article_server: ArticleServer, clock: ManualClock, where: str
) -> dict[str, Any]:
    """An article shared where `where` says, its digest scheduled and fired; the digest."""
    spec = f"daily {clock() + timedelta(minutes=2):%H:%M} UTC"
    page = story(article_server, "/ferry")
    if where == "group":
        telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
        say(telegram_server, f"look {page}", user=BOB)
        say(telegram_server, f"/digest_schedule {spec}")
        await wait_for_text(telegram_server, "Done", GROUP)
    else:  # a channel's own schedule, or its admin's private one covering it
        telegram_server.channel(CHANNEL, username="EelNews", creator=ALICE)
        telegram_server.send_channel_post(CHANNEL, f"Read this: {page}")
        await ask(telegram_server, "/connect @eelnews", "is connected")
        words = "@eelnews {spec} channel" if where == "channel" else "{spec}"
        await ask(telegram_server, f"/digest_schedule {words.format(spec=spec)}", "Done")
    clock.advance(minutes=2)
    destination = {"group": GROUP, "channel": CHANNEL, "private": ALICE["id"]}[where]
    return await wait_for_text(telegram_server, "Digest", destination)


@pytest.mark.parametrize("where", ["group", "channel", "private"])
async def test_a_scheduled_digest_counts_in_its_budget(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    where: str,
) -> None:
    clock, _ = soon()
    limit = "budget_chat_monthly_tokens" if where == "group" else "budget_user_monthly_tokens"
    async with make_bot(now=clock, **{limit: 10**6}, **FAST):
        await _scheduled_digest(telegram_server, article_server, clock, where)
        if where == "group":
            say(telegram_server, "/usage")
            usage = await wait_for_text(telegram_server, "This chat's usage", GROUP)
        else:  # the channel's admin pays for it
            usage = await ask(telegram_server, "/usage", "Your usage")
    assert len(openai_server.requests) == 1
    assert today_tokens(usage["text"]) > 100


@pytest.mark.parametrize("where", ["group", "channel", "private"])
async def test_a_scheduled_digest_out_of_budget_gets_extractive_lines_labelled(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
    where: str,
) -> None:
    clock, _ = soon()
    limit = "budget_chat_daily_tokens" if where == "group" else "budget_user_daily_tokens"
    async with make_bot(now=clock, **{limit: 1}, **FAST):
        digest = await _scheduled_digest(telegram_server, article_server, clock, where)
    assert openai_server.requests == []
    assert "No model wrote these lines" in digest["text"]
    assert "ferry" in digest["text"].lower()


async def test_a_group_s_scheduled_digest_counts_in_no_member_s_budget(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    clock, _ = soon()
    async with make_bot(now=clock, budget_user_daily_tokens=1, **FAST):
        digest = await _scheduled_digest(telegram_server, article_server, clock, "group")
    assert len(openai_server.requests) == 1  # nobody asked: the group's own, and the bot's
    assert "No model wrote these lines" not in digest["text"]

"""A digest's one-line summaries are metered like summaries: their tokens count against the
chat (and the member who asked), and a chat whose budget is used up gets extractive lines."""

from __future__ import annotations

import re
from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.openai_server import FakeOpenAI
from tests.test_bot_digest import ALICE, BOB, GROUP, _say, _story


def _today_tokens(usage: str) -> int:
    found = re.search(r"Today: ([\d,]+) tokens", usage)
    assert found is not None, usage
    return int(found.group(1).replace(",", ""))


async def test_a_digests_tokens_count_in_the_chats_usage(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(GROUP, admins=[ALICE], members=[BOB])
    async with make_bot(budget_chat_monthly_tokens=10**6):
        _say(telegram_server, f"look {_story(article_server, '/ferry')}", user=BOB)
        _say(telegram_server, "/usage")
        before = await wait_for_text(telegram_server, "This chat's usage", GROUP)
        _say(telegram_server, "/digest", user=BOB)
        await wait_for_text(telegram_server, "Digest", GROUP)
        _say(telegram_server, "/usage")

        def usage_now() -> dict[str, Any] | None:
            found = [m for m in telegram_server.messages(GROUP) if "usage" in m["text"]]
            return found[-1] if len(found) == 2 else None

        after = await telegram_server.wait_for(usage_now)
    assert len(openai_server.requests) == 1
    assert _today_tokens(before["text"]) == 0
    assert _today_tokens(after["text"]) > 100


async def test_a_chat_out_of_budget_gets_extractive_lines_labelled(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.group(GROUP, members=[ALICE, BOB])
    async with make_bot(budget_chat_daily_tokens=1):
        _say(telegram_server, f"look {_story(article_server, '/ferry')}")
        _say(telegram_server, "/digest", user=BOB)
        digest = await wait_for_text(telegram_server, "Digest", GROUP)
    assert openai_server.requests == []
    assert "No model wrote these lines" in digest["text"]
    assert "ferry" in digest["text"].lower()

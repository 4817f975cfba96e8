"""The model shared between chats, end to end: a one-link user is not served behind someone
else's long article (its map calls) or a group's big digest (its lines). With one model slot
(LLM_MAX_CONCURRENCY=1) every call waits for it, so the order the fake model got them in shows
who the slot went to: first come first served, the one link would come after all of them."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.openai_server import FakeOpenAI, prompt_kind
from tests.test_extract import STORY
from tests.test_summarize import long_article

GROUP = -1007770001
ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob"}
CALL_S = 0.25  # each model call holds the one slot this long


def _kinds(openai_server: FakeOpenAI) -> list[str]:
    """The calls the model got, in order: a heavy request's, or the one link's summary."""
    return [prompt_kind(body, "link") for body in openai_server.requests]


async def _one_link_once_queued(
    telegram_server: TelegramServer, openai_server: FakeOpenAI, article_server: ArticleServer
) -> list[str]:
    """Once the heavy request's first call holds the slot (the rest queue), Bob sends one
    link; the kinds of the model's calls once he has his summary."""
    await telegram_server.wait_for(lambda: openai_server.requests)
    telegram_server.send_message(BOB["id"], article_server.url("/article"), user=BOB)
    await wait_for_text(telegram_server, "Summary:", BOB["id"], timeout=30)
    return _kinds(openai_server)


async def test_a_one_link_user_is_not_served_behind_a_long_articles_parts(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.delay_s = CALL_S
    long = article_server.add_page("/long", long_article().encode(), "text/plain; charset=utf-8")
    async with make_bot(llm_max_concurrency=1, summary_max_call_tokens=2000):
        telegram_server.send_message(ALICE["id"], long, user=ALICE)
        kinds = await _one_link_once_queued(telegram_server, openai_server, article_server)
        await wait_for_text(telegram_server, "Summary:", ALICE["id"], timeout=30)
    parts = _kinds(openai_server).count("part")
    assert parts >= 8
    assert kinds.index("link") < parts // 2  # ahead of most of the parts queued before it


async def test_a_one_link_user_is_not_served_behind_a_big_digests_lines(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    telegram_server.privacy_mode = False
    telegram_server.group(GROUP, members=[ALICE])
    openai_server.delay_s = CALL_S
    async with make_bot(llm_max_concurrency=1):
        for n in range(12):
            text = f"Story number {n} about the ferry.\n\n" + "\n\n".join(STORY)
            page = article_server.add_page(f"/story/{n}", text.encode(), "text/plain")
            telegram_server.send_message(GROUP, f"look {page}", user=ALICE, chat_type="supergroup")
        telegram_server.send_message(GROUP, "/digest", user=ALICE, chat_type="supergroup")
        kinds = await _one_link_once_queued(telegram_server, openai_server, article_server)
        await wait_for_text(telegram_server, "Digest", GROUP, timeout=30)
    assert _kinds(openai_server).count("line") == 12
    assert kinds.index("link") < 12 // 2  # ahead of most of the lines queued before it

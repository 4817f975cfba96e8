"""Inline mode end to end: `@bot <link>` offers a placeholder (or a cached summary whole),
choosing it fills the posted message in by its inline_message_id; budgets, the allow-lists and
errors apply as in a private chat."""

from __future__ import annotations

from typing import Any

from bot.playground.emulator.server import DEFAULT_USER, TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.chats import stats_once
from tests.servers.openai_server import FakeOpenAI

ALICE = 1001
BOB: dict[str, Any] = {"id": 2002, "is_bot": False, "first_name": "Bob", "username": "bob"}


async def _offered(telegram: TelegramServer, query: str, user: dict[str, Any]) -> dict[str, Any]:
    """Type `@bot <query>` and return the bot's answerInlineQuery parameters."""
    query_id = telegram.send_inline_query(query, user=user, chat_type="group")
    await telegram.wait_for(lambda: query_id in telegram.inline_answers)
    return telegram.inline_answers[query_id] | {"query_id": query_id}


async def _posted(telegram: TelegramServer, link: str, user: dict[str, Any]) -> str:
    """Post the bot's placeholder for `link` and wait until it is filled in: its text."""
    offered = await _offered(telegram, f"look {link}", user)
    [result] = offered["results"]
    assert result["id"].startswith("summarize:")
    message_id = telegram.choose_inline_result(offered["query_id"], result["id"])
    assert message_id is not None
    assert "Summarizing" in telegram.inline_message(message_id)["text"]
    await telegram.wait_for_call(
        "editMessageText", lambda params: params.get("inline_message_id") == message_id
    )
    return str(telegram.inline_message(message_id)["text"])


async def test_a_link_is_offered_as_a_placeholder_then_filled_in_with_its_summary(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    link = article_server.url("/article")
    async with make_bot():
        offered = await _offered(telegram_server, link, DEFAULT_USER)
        [result] = offered["results"]
        assert result["title"] == "Summarize this article"
        # Without an inline keyboard Telegram would send no inline_message_id.
        assert result["reply_markup"]["inline_keyboard"][0][0]["url"] == link
        assert openai_server.requests == []  # nothing is read before the user chooses
        text = await _posted(telegram_server, link, DEFAULT_USER)
    assert "Summary:" in text
    assert len(openai_server.requests) == 1


async def test_a_cached_summary_is_offered_whole_without_a_model_call(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    link = article_server.url("/article")
    async with make_bot(admin_users=str(ALICE)):
        telegram_server.send_message(ALICE, link)  # summarized in a private chat first
        summary = await wait_for_text(telegram_server, "Summary:", ALICE)
        calls = len(openai_server.requests)
        offered = await _offered(telegram_server, f"{link}#comments", BOB)
        [result] = offered["results"]
        # Posted whole: nothing to fill in, but /stats counts it as the cache's.
        assert telegram_server.choose_inline_result(offered["query_id"], result["id"]) is None
        stats = await stats_once(telegram_server, ALICE, "Last 24 hours: ", ", 1 from the cache, ")
    assert result["id"].startswith("cached:")
    assert "reply_markup" not in result
    posted = result["input_message_content"]["message_text"]
    summary_line = next(line for line in summary["text"].splitlines() if "Summary:" in line)
    assert summary_line in posted
    assert len(openai_server.requests) == calls
    assert stats[1].startswith("Last 24 hours: 2 users, 2 chats, 2 requests, 1 model calls, ")


async def test_a_query_without_a_link_gets_a_hint_and_no_result(
    make_bot: BotFactory, telegram_server: TelegramServer, openai_server: FakeOpenAI
) -> None:
    async with make_bot():
        offered = await _offered(telegram_server, "what is this", DEFAULT_USER)
    assert offered["results"] == []
    assert offered["button"]["text"] == "Type or paste a link after my name to summarize it"
    assert offered["button"]["start_parameter"] == "inline"
    assert openai_server.requests == []


async def test_an_unreadable_link_fills_the_placeholder_with_the_reason(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot():
        text = await _posted(telegram_server, article_server.url("/status/404"), DEFAULT_USER)
    assert "404" in text or "could not" in text.lower()
    assert "Traceback" not in text
    assert openai_server.requests == []


async def test_a_used_up_budget_gives_the_inline_user_the_extractive_summary(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(budget_user_daily_tokens=1):
        text = await _posted(telegram_server, article_server.url("/article"), BOB)
    assert "Your daily budget" in text
    assert openai_server.requests == []


async def test_someone_not_allowed_gets_no_answer(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot(allowed_users=str(ALICE)):
        query_id = telegram_server.send_inline_query(article_server.url("/article"), user=BOB)
        await _offered(telegram_server, article_server.url("/article"), DEFAULT_USER)
    assert query_id not in telegram_server.inline_answers


async def test_the_rate_limit_counts_inline_summaries_too(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(rate_limit_per_minute=1):
        first = await _posted(telegram_server, article_server.url("/article"), DEFAULT_USER)
        second = await _posted(telegram_server, article_server.url("/plain"), DEFAULT_USER)
    assert "Summary:" in first
    assert "faster than I can take them" in second
    assert len(openai_server.requests) == 1

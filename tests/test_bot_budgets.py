"""Budgets end to end: reached mid-day and mid-month, reset at the period, shared by a group,
admins' own limits, /usage and /stats; the extractive reply always comes with the refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import BotFactory, ManualClock, bot_texts, wait_for_text
from tests.servers.chats import stats_once
from tests.servers.openai_server import FakeOpenAI

ALICE = 1001
GROUP = -100888
BOB: dict[str, Any] = {"id": 2002, "is_bot": False, "first_name": "Bob", "username": "bob"}
EXTRACTIVE = "The extractive mode needs no model and stays available"
# About three summaries of the test article (an estimate ~2k tokens, a call ~700).
LIMIT = 4000


async def _reply_to(telegram: TelegramServer, chat_id: int, text: str, **kw: Any) -> str:
    """Send `text` and return the bot's next final reply in the chat."""
    before = len(telegram.messages(chat_id))
    telegram.send_message(chat_id, text, **kw)

    def done() -> str | None:
        texts = bot_texts(telegram, chat_id)[before:]
        final = [t for t in texts if "Summary:" in t or "budget" in t or "usage" in t.lower()]
        return final[-1] if final else None

    reply: str = await telegram.wait_for(done)
    return reply


async def _until_refused(
    telegram: TelegramServer, llm: FakeOpenAI, chat_id: int, link: str, **kw: Any
) -> str:
    """Summarize `link` again and again until a budget refuses; the refusal's text.

    Each time under another address: the same address would come from the summary cache."""
    for attempt in range(10):
        calls = len(llm.requests)
        reply = await _reply_to(telegram, chat_id, f"{link}?attempt={attempt}", **kw)
        if "budget" in reply:
            assert len(llm.requests) == calls  # refused before any call
            return reply
        assert len(llm.requests) == calls + 1
    raise AssertionError("no budget ever refused")


async def test_a_daily_budget_reached_mid_day_resets_at_utc_midnight(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    clock = ManualClock(datetime(2026, 5, 4, 13, 30, tzinfo=UTC))
    link = article_server.url("/article")
    async with make_bot(budget_user_daily_tokens=LIMIT, now=clock):
        refusal = await _until_refused(telegram_server, openai_server, ALICE, link)
        assert len(openai_server.requests) >= 1
        assert "Your daily budget" in refusal
        assert "of 4,000 tokens" in refusal
        assert "resets on 2026-05-05 00:00 UTC (in 10 h 30 min)" in refusal
        assert EXTRACTIVE in refusal
        assert "Eleven thousand eels" in refusal or "eels" in refusal.lower()  # the article's own
        clock.advance(hours=10, minutes=30)
        calls = len(openai_server.requests)
        assert "Summary:" in await _reply_to(telegram_server, ALICE, link)
        assert len(openai_server.requests) == calls + 1


async def test_a_monthly_usd_budget_holds_over_days_and_resets_on_the_first(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    clock = ManualClock(datetime(2026, 5, 30, 8, tzinfo=UTC))
    link = article_server.url("/article")
    # gpt-4o-mini's list price: a summary of the test article costs about $0.0003.
    async with make_bot(budget_user_monthly_usd=0.0008, now=clock):
        refusal = await _until_refused(telegram_server, openai_server, ALICE, link)
        assert "Your monthly budget" in refusal
        assert "$0.0008" in refusal
        assert "resets on 2026-06-01 00:00 UTC" in refusal
        clock.advance(days=1)  # the 31st: still May
        assert "budget" in await _reply_to(telegram_server, ALICE, link)
        clock.advance(hours=16)  # June the first
        assert "Summary:" in await _reply_to(telegram_server, ALICE, link)


async def test_guests_in_a_group_share_its_chat_budget(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    link = f"@summary_test_bot {article_server.url('/article')}"
    async with make_bot(budget_chat_daily_tokens=LIMIT):
        await _until_refused(telegram_server, openai_server, GROUP, link, chat_type="supergroup")
        calls = len(openai_server.requests)
        refusal = await _reply_to(telegram_server, GROUP, link, user=BOB, chat_type="supergroup")
        assert "This chat's daily budget" in refusal
        assert len(openai_server.requests) == calls
        # Alone with the bot, Bob is not held to the group's budget.
        assert "Summary:" in await _reply_to(telegram_server, BOB["id"], link, user=BOB)


async def test_a_question_over_budget_gets_the_extractive_answer_and_the_reason(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    async with make_bot(budget_bot_daily_tokens=100):
        refusal = await _reply_to(telegram_server, ALICE, article_server.url("/article"))
        assert "The bot's daily budget has 100 tokens left (0 tokens of 100 tokens used)" in refusal
        telegram_server.send_message(ALICE, "/ask Who counted the eels?")
        answer = await wait_for_text(telegram_server, "best match your question", ALICE)
    assert "The bot's daily budget" in answer["text"]
    assert openai_server.requests == []


async def test_admins_give_one_user_its_own_limit_and_see_the_statistics(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    link = article_server.url("/article")  # once per address: the cache would answer again
    async with make_bot(admin_users=str(ALICE), budget_user_daily_tokens=10**6):
        assert "Summary:" in await _reply_to(telegram_server, BOB["id"], f"{link}?n=1", user=BOB)
        telegram_server.send_message(ALICE, "/limit @Bob daily tokens 100")
        await wait_for_text(
            telegram_server, "Done: @Bob now has a daily limit of 100 tokens", ALICE
        )
        refusal = await _reply_to(telegram_server, BOB["id"], f"{link}?n=2", user=BOB)
        assert "Your daily budget is used up" in refusal
        assert "of 100 tokens" in refusal
        usage = await _reply_to(telegram_server, BOB["id"], "/usage", user=BOB)
        assert "Your daily budget:" in usage
        assert "of 100 tokens" in usage
        telegram_server.send_message(ALICE, "/limit 2002 daily tokens off")
        await wait_for_text(telegram_server, "no daily limit in tokens", ALICE)
        assert "Summary:" in await _reply_to(telegram_server, BOB["id"], f"{link}?n=3", user=BOB)
        telegram_server.send_message(BOB["id"], "/stats", user=BOB)
        await wait_for_text(telegram_server, "Only the bot's admins", BOB["id"])
        stats = await stats_once(telegram_server, ALICE, "Last 24 hours: ", " 3 requests, ")
    day = stats[1]
    assert day.startswith("Last 24 hours: 1 users, 1 chats, 3 requests, 2 model calls, ")
    assert day.endswith(", 1 refused for budgets, 0 errors")


async def test_limit_command_explains_itself_and_unknown_names(
    make_bot: BotFactory, telegram_server: TelegramServer
) -> None:
    async with make_bot(admin_users=str(ALICE)):
        telegram_server.send_message(ALICE, "/limit @nobody daily tokens 5")
        await wait_for_text(telegram_server, "I have not seen @nobody yet", ALICE)
        telegram_server.send_message(ALICE, "/limit me weekly tokens 5")
        await wait_for_text(telegram_server, "Usage: /limit", ALICE)


def test_a_usd_budget_needs_the_model_price() -> None:
    with pytest.raises(ConfigError, match="LLM_PRICE_INPUT_PER_MTOK"):
        load_settings(llm_model="my-local-model", budget_bot_daily_usd=1.0)
    priced = load_settings(
        llm_model="my-local-model",
        budget_bot_daily_usd=1.0,
        llm_price_input_per_mtok=1.0,
        llm_price_output_per_mtok=2.0,
    )
    assert priced.price() is not None


async def test_stats_count_failed_requests_as_errors(
    make_bot: BotFactory, telegram_server: TelegramServer, article_server: ArticleServer
) -> None:
    async with make_bot(admin_users=str(ALICE)):
        telegram_server.send_message(ALICE, article_server.url("/missing-page"))
        await wait_for_text(telegram_server, "does not exist", ALICE)
        stats = await stats_once(telegram_server, ALICE, "Last 7 days: ", " 1 errors")
    week = stats[2]
    assert week.startswith("Last 7 days: 1 users, 1 chats, 1 requests, 0 model calls, ")
    assert week.endswith(", 0 refused for budgets, 1 errors")


async def test_usage_in_a_group_is_the_groups_for_its_admins_and_ones_own_for_others(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    alice = {"id": ALICE, "is_bot": False, "first_name": "Alice"}
    telegram_server.set_admins(GROUP, [alice])
    link = f"@summary_test_bot {article_server.url('/article')}"
    async with make_bot(budget_chat_monthly_tokens=10**6):
        await _reply_to(telegram_server, GROUP, link, user=BOB, chat_type="supergroup")
        mine = await _reply_to(telegram_server, GROUP, "/usage", user=BOB, chat_type="supergroup")
        chats = await _reply_to(
            telegram_server, GROUP, "/usage", user=alice, chat_type="supergroup"
        )
    assert mine.startswith("Your usage\nToday: ")
    assert "No limits apply." in mine
    assert chats.startswith("This chat's usage\nToday: ")
    assert "This chat's monthly budget: " in chats
    assert "of 1,000,000 tokens; resets on " in chats


async def test_stats_count_summaries_from_the_cache(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    link = article_server.url("/article")
    async with make_bot(admin_users=str(ALICE)):
        assert "Summary:" in await _reply_to(telegram_server, ALICE, link)
        assert "Summary:" in await _reply_to(telegram_server, BOB["id"], link, user=BOB)
        stats = await stats_once(
            telegram_server, ALICE, "Last 24 hours: ", " 2 requests, ", ", 1 from the cache, "
        )
    assert len(openai_server.requests) == 1
    day, week = stats[1:3]
    assert day.startswith("Last 24 hours: 2 users, 2 chats, 2 requests, 1 model calls, ")
    assert ", 1 from the cache, " in day
    assert ", 1 from the cache, " in week

"""The shared summary cache: an article is summarized once for every chat that asks, with one
model call however many ask at once, and again only for other choices or once it expired."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.config import load_settings
from bot.core.models import Article
from bot.core.reading.cache import CacheKey, SummaryCache, canonical_url
from bot.core.service import Service
from bot.core.store.types import UserPrefs
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.bot_runner import BotFactory, wait_for_text
from tests.servers.openai_server import FakeOpenAI, all_messages

ALICE: dict[str, Any] = {"id": 2001, "is_bot": False, "first_name": "Alice"}
BOB: dict[str, Any] = {"id": 2002, "is_bot": False, "first_name": "Bob"}


@pytest_asyncio.fixture
async def service(openai_server: FakeOpenAI, tmp_path: Path) -> AsyncIterator[Service]:
    """The real service on a SQLite file, its model the fake server."""
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        openai_api_key="sk-test",
        openai_base_url=openai_server.base_url,
        llm_model="gpt-4o-mini",
        llm_max_retries=0,
        fetch_allow_private_networks=True,
        extract_workers=0,
    )
    opened = await Service.open(settings.service_config())
    yield opened
    await opened.aclose()


async def test_two_chats_sharing_a_link_cost_one_call_and_both_can_follow_up(
    make_bot: BotFactory,
    telegram_server: TelegramServer,
    openai_server: FakeOpenAI,
    article_server: ArticleServer,
) -> None:
    openai_server.responder = lambda body: (
        "They count at night." if "When" in all_messages(body) else "Summary: eels are back."
    )
    link = article_server.url("/article")
    async with make_bot():
        telegram_server.send_message(ALICE["id"], link, user=ALICE)
        await wait_for_text(telegram_server, "Summary:", ALICE["id"])
        telegram_server.send_message(BOB["id"], link, user=BOB)
        cached = await wait_for_text(telegram_server, "Summary:", BOB["id"])
        assert len(openai_server.requests) == 1
        # The cached summary still carries its source line, and follow-ups reach the article.
        assert ARTICLE_TITLE in cached["text"]
        telegram_server.send_message(
            BOB["id"], "When do they count?", user=BOB, reply_to_message_id=cached["message_id"]
        )
        await wait_for_text(telegram_server, "They count at night.", BOB["id"])
    assert len(openai_server.requests) == 2


async def test_asks_at_the_same_time_wait_for_one_call(
    service: Service, openai_server: FakeOpenAI, article_server: ArticleServer
) -> None:
    openai_server.delay_s = 0.3  # the first call is still running when the others ask
    article = await service.read_url(article_server.url("/article"))
    summaries = await asyncio.gather(*(service.summarize(article, UserPrefs()) for _ in range(8)))
    assert len(openai_server.requests) == 1
    assert len({summary.text for summary in summaries}) == 1
    assert sum(not summary.cached for summary in summaries) == 1
    assert all(summary.usage.total_tokens == 0 for summary in summaries if summary.cached)


@pytest.mark.parametrize(
    "other",
    [UserPrefs(language="ru"), UserPrefs(length=None, format=None, language="de")],
)
async def test_another_language_is_another_call(
    service: Service, openai_server: FakeOpenAI, article_server: ArticleServer, other: UserPrefs
) -> None:
    article = await service.read_url(article_server.url("/article"))
    await service.summarize(article, UserPrefs(language="en"))
    again = await service.summarize(article, UserPrefs(language="en"))
    assert again.cached
    await service.summarize(article, other)
    assert len(openai_server.requests) == 2


async def test_a_failed_first_ask_lets_the_waiting_one_call(
    service: Service, openai_server: FakeOpenAI, article_server: ArticleServer
) -> None:
    article = await service.read_url(article_server.url("/article"))
    openai_server.delay_s = 0.3
    first = asyncio.create_task(service.summarize(article, UserPrefs()))
    await _until_busy(openai_server)
    second = asyncio.create_task(service.summarize(article, UserPrefs()))
    await asyncio.sleep(0)
    first.cancel()  # e.g. /cancel in the first chat
    summary = await second
    assert not summary.cached
    assert len(openai_server.requests) == 2


async def _until_busy(server: FakeOpenAI) -> None:
    """Wait until the fake server is answering a request."""
    # The fake server signals nothing; its counter is all there is to watch.
    while server.in_flight == 0:  # noqa: ASYNC110
        await asyncio.sleep(0.01)


async def test_entries_expire_after_their_ttl(
    service: Service, openai_server: FakeOpenAI, article_server: ArticleServer
) -> None:
    moment = [datetime(2026, 3, 1, tzinfo=UTC)]
    service.cache = SummaryCache(service.store, timedelta(hours=72), clock=lambda: moment[0])
    article = await service.read_url(article_server.url("/article"))
    await service.summarize(article, UserPrefs())
    moment[0] += timedelta(hours=71)
    assert (await service.summarize(article, UserPrefs())).cached
    moment[0] += timedelta(hours=2)
    assert not (await service.summarize(article, UserPrefs())).cached
    assert len(openai_server.requests) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("HTTPS://Example.org:443/a/?utm_source=x&b=2&a=1#top", "https://example.org/a?a=1&b=2"),
        ("http://example.org", "http://example.org/"),
    ],
)
def test_canonical_urls_ignore_case_ports_fragments_and_tracking(first: str, second: str) -> None:
    assert canonical_url(first) == canonical_url(second)


@pytest.mark.parametrize(
    ("text", "url", "prompt_version", "model", "same"),
    [
        ("one", "https://E.org/a", "p1", "m1", True),
        ("two", "https://e.org/a", "p1", "m1", False),
        ("one", "https://e.org/b", "p1", "m1", False),
        ("one", "https://e.org/a", "p2", "m1", False),
        ("one", "https://e.org/a", "p1", "m2", False),
    ],
)
def test_the_key_is_the_article_the_prompts_and_the_model(
    text: str, url: str, prompt_version: str, model: str, same: bool
) -> None:
    base = CacheKey.of(Article("one", url="https://e.org/a"), "digest", None, "p1", "m1")
    other = CacheKey.of(Article(text, url=url), "digest", None, prompt_version, model)
    assert (base.name == other.name) is same

"""A budget check holds the request's estimate until the request ends, so that requests running
at once (in one process or in several sharing the store) never overshoot a budget together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio

from bot.config import load_settings
from bot.core.models import Article, Notice
from bot.core.service import Service
from bot.core.store.types import SharedLink, UserPrefs
from bot.core.store.usage_types import Period, Scope, Unit
from bot.core.usage.budgets import HOLD_TTL, Requester
from tests.servers.article_server import ArticleServer
from tests.servers.bot_runner import ManualClock
from tests.servers.openai_server import FakeOpenAI
from tests.test_store import database_url

__all__ = ["database_url"]

USER = 4242
WHO = Requester(USER, USER)
PREFS = UserPrefs()


def _article(n: int) -> Article:
    sentences = " ".join(f"Sentence {i} of story {n} says the ferry runs again." for i in range(60))
    return Article(text=sentences, url=f"https://example.org/story/{n}", title=f"Story {n}")


async def _service(database_url: str, openai_server: FakeOpenAI) -> Service:
    settings = load_settings(
        database_url=database_url,
        openai_api_key="sk-test",
        openai_base_url=openai_server.base_url,
        llm_model="gpt-4o-mini",
        llm_max_retries=0,
        extract_workers=0,
        fetch_allow_private_networks=True,
    )
    return await Service.open(settings.service_config())


@pytest_asyncio.fixture
async def services(
    database_url: str, openai_server: FakeOpenAI
) -> AsyncIterator[tuple[Service, Service]]:
    """Two replicas: services of their own on one shared store."""
    first = await _service(database_url, openai_server)
    second = await _service(database_url, openai_server)
    yield first, second
    await first.aclose()
    await second.aclose()


@pytest_asyncio.fixture
async def articles(services: tuple[Service, Service]) -> tuple[Article, Article]:
    """Two articles, and a daily limit one request's estimate fits in, two do not."""
    one, two = _article(1), _article(2)
    expected = await services[0].summary_estimate(one, PREFS)
    key = (Scope.USER, USER, Period.DAILY, Unit.TOKENS)
    await services[0]._store().set_limit(key, expected.tokens * 1.5)
    return one, two


async def test_two_requests_at_once_over_the_budget_one_is_refused(
    services: tuple[Service, Service], articles: tuple[Article, Article], openai_server: FakeOpenAI
) -> None:
    first, second = services
    one, two = articles
    openai_server.delay_s = 0.3  # both are in flight before either records its usage
    results = await asyncio.gather(
        first.summarize_for(one, PREFS, None, WHO), second.summarize_for(two, PREFS, None, WHO)
    )
    refused = [summary for summary, refusal in results if refusal is not None]
    assert len(refused) == 1
    assert refused[0].notice is Notice.BUDGET
    assert len(openai_server.requests) == 1


async def test_a_hold_ends_with_its_request_even_a_failed_one(
    services: tuple[Service, Service], articles: tuple[Article, Article], openai_server: FakeOpenAI
) -> None:
    service, one, two = services[0], *articles
    openai_server.fail_next(500)
    failed, refusal = await service.summarize_for(one, PREFS, None, WHO)
    assert refusal is None
    assert failed.extractive
    summary, refusal = await service.summarize_for(two, PREFS, None, WHO)
    assert refusal is None
    assert not summary.extractive
    spent = await service._store().spent(Scope.USER, USER, service.budgets.clock())
    assert spent.day_tokens == summary.usage.total_tokens


GROUP = -100777
MEMBER = Requester(USER, GROUP, group=True)


async def _share(service: Service, article_server: ArticleServer, count: int) -> datetime:
    """`count` different articles shared in the group; when the first was shared."""
    since = datetime.now(UTC) - timedelta(minutes=1)
    links = [
        SharedLink(
            GROUP,
            0,
            n,
            article_server.add_page(f"/d{n}", _story(n), "text/plain; charset=utf-8"),
            USER,
            since,
        )
        for n in range(count)
    ]
    await service.digests.collect_links(links)
    return since


def _story(n: int) -> bytes:
    return f"Story {n}.\n\n{_article(n).text}".encode()


async def test_a_digest_over_the_budget_is_checked_and_refused_once(
    services: tuple[Service, Service], openai_server: FakeOpenAI, article_server: ArticleServer
) -> None:
    service, _ = services
    since = await _share(service, article_server, 12)
    await service._store().set_limit((Scope.CHAT, GROUP, Period.DAILY, Unit.TOKENS), 1)
    digest = await service.digests.digest(GROUP, 0, since, None, MEMBER)
    assert len(digest.entries) == 12
    assert all(entry.line.notice is Notice.BUDGET for entry in digest.entries)
    assert openai_server.requests == []
    stats = await service._store().usage_stats(since)
    assert stats.refused == 1


async def test_a_digest_within_the_budget_meters_each_line(
    services: tuple[Service, Service], openai_server: FakeOpenAI, article_server: ArticleServer
) -> None:
    service, _ = services
    since = await _share(service, article_server, 5)
    await service._store().set_limit((Scope.CHAT, GROUP, Period.DAILY, Unit.TOKENS), 10**6)
    digest = await service.digests.digest(GROUP, 0, since, None, MEMBER)
    assert not digest.extractive
    stats = await service._store().usage_stats(since)
    assert (stats.llm_calls, stats.refused) == (5, 0)
    spent = await service._store().spent(Scope.CHAT, GROUP, datetime.now(UTC))
    assert spent.day_tokens == digest.usage.total_tokens > 0


async def test_the_hold_of_a_replica_that_died_expires(
    services: tuple[Service, Service], articles: tuple[Article, Article], openai_server: FakeOpenAI
) -> None:
    service, one, two = services[0], *articles
    budgets = service._budgets()
    clock = ManualClock(datetime.now(UTC).replace(hour=1))
    budgets.clock = clock
    refusal, held = await budgets.hold(WHO, lambda: service.summary_estimate(one, PREFS))
    assert refusal is None  # held, and never released: its process was killed
    assert held is not None
    _, refusal = await service.summarize_for(two, PREFS, None, WHO)
    assert refusal is not None
    clock.advance(seconds=HOLD_TTL.total_seconds() + 1)
    _, refusal = await service.summarize_for(two, PREFS, None, WHO)
    assert refusal is None

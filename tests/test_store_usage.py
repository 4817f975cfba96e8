"""Usage in the store (LLM calls, limits, usernames, notices), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.store import sql
from bot.core.store.open import open_store
from bot.core.store.schema import MIGRATIONS
from bot.core.store.types import Store
from bot.core.store.usage_types import Period, Scope, Spent, Unit, UsageEvent
from tests.test_store import database_url, store

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

MONTH = datetime(2026, 3, 1, tzinfo=UTC)
DAY = datetime(2026, 3, 15, tzinfo=UTC)
GROUP = -1001234567890123


def _call(at: datetime, user: int, chat: int, tokens: int, usd: float) -> UsageEvent:
    return UsageEvent(at, user, chat, "llm", "gpt-4o-mini", tokens - 10, 10, usd)


async def test_spent_sums_the_day_and_the_month_per_user_chat_and_bot(store: Store) -> None:
    # Concurrent calls of one user and chat add to the same sums.
    await asyncio.gather(*(store.record_usage(_call(DAY, 5, -5, 10, 0.5)) for _ in range(20)))
    assert await store.spent(Scope.CHAT, -5, DAY) == Spent(200, 10.0, 200, 10.0)
    await store.record_usage(_call(DAY + timedelta(hours=3), 7, GROUP, 1000, 0.5))
    await store.record_usage(_call(DAY - timedelta(days=2), 7, 7, 300, 0.25))
    await store.record_usage(_call(MONTH - timedelta(hours=1), 7, 7, 5000, 9.0))  # last month
    await store.record_usage(_call(DAY + timedelta(hours=4), 8, GROUP, 40, 0.125))
    await store.record_usage(UsageEvent(DAY + timedelta(hours=5), 7, GROUP, "refused"))
    noon = DAY + timedelta(hours=12)
    assert await store.spent(Scope.USER, 7, noon) == Spent(1000, 0.5, 1300, 0.75)
    assert await store.spent(Scope.CHAT, GROUP, noon) == Spent(1040, 0.625, 1040, 0.625)
    assert await store.spent(Scope.BOT, 0, noon) == Spent(1240, 10.625, 1540, 10.875)
    assert await store.spent(Scope.USER, 9, noon) == Spent()
    assert await store.spent(Scope.USER, 7, MONTH - timedelta(hours=2)) == Spent(
        5000, 9.0, 5000, 9.0
    )
    assert await store.spent(Scope.USER, 7, DAY + timedelta(days=1)) == Spent(0, 0.0, 1300, 0.75)


async def test_limits_set_replaced_turned_off_and_cleared(store: Store) -> None:
    daily_tokens = (Scope.USER, 7, Period.DAILY, Unit.TOKENS)
    monthly_usd = (Scope.CHAT, GROUP, Period.MONTHLY, Unit.USD)
    await store.set_limit(daily_tokens, 100.0)
    await store.set_limit(daily_tokens, 500.0)
    await store.set_limit(monthly_usd, None)
    await store.set_limit((Scope.USER, 8, Period.DAILY, Unit.TOKENS), 1.0)
    assert await store.limits_for([(Scope.USER, 7), (Scope.CHAT, GROUP)]) == {
        daily_tokens: 500.0,
        monthly_usd: None,
    }
    await store.clear_limit(daily_tokens)
    assert await store.limits_for([(Scope.USER, 7)]) == {}
    assert await store.limits_for([]) == {}


async def test_usernames_resolve_case_insensitively_to_the_latest_owner(store: Store) -> None:
    await store.remember_username("Alice", 7)
    await store.remember_username("alice", 7)
    assert await store.user_for_username("ALICE") == 7
    await store.remember_username("alice", 9)  # the name changed hands
    assert await store.user_for_username("alice") == 9
    assert await store.user_for_username("nobody") is None


async def test_a_notice_is_first_once_per_period(store: Store) -> None:
    assert await store.first_notice_since(7, DAY, DAY - timedelta(days=1))
    later = DAY + timedelta(hours=5)
    assert not await store.first_notice_since(7, later, later - timedelta(days=1))
    next_day = DAY + timedelta(days=1, minutes=1)
    assert await store.first_notice_since(7, next_day, next_day - timedelta(days=1))
    assert await store.first_notice_since(8, later, later - timedelta(days=1))


async def test_stats_count_users_chats_requests_calls_tokens_cost_refusals_and_errors(
    store: Store,
) -> None:
    now = datetime.now(UTC)
    await store.record_usage(_call(now, 7, 7, 100, 0.5))
    await store.record_usage(_call(now, 8, GROUP, 50, 0.25))
    await store.record_usage(_call(now - timedelta(days=3), 9, 9, 1000, 1.0))
    await store.record_usage(UsageEvent(now, 8, GROUP, "refused"))
    for kind in ("request", "request", "error"):
        await store.record_usage(UsageEvent(now, 7, 7, kind))
    day = await store.usage_stats(now - timedelta(days=1))
    assert (day.users, day.chats, day.requests, day.llm_calls) == (2, 2, 3, 2)
    assert (day.tokens, day.cost_usd, day.refused, day.errors) == (150, 0.75, 1, 1)
    week = await store.usage_stats(now - timedelta(days=7))
    assert (week.users, week.llm_calls, week.tokens) == (3, 3, 1150)


async def test_stats_count_the_summaries_the_cache_gave(store: Store) -> None:
    now = datetime.now(UTC)
    for at in (now, now, now - timedelta(days=3)):
        await store.record_usage(UsageEvent(at, 7, 7, "cache_hit"))
    await store.record_usage(UsageEvent(now, 7, 7, "request"))
    day = await store.usage_stats(now - timedelta(days=1))
    week = await store.usage_stats(now - timedelta(days=7))
    assert (day.cache_hits, day.requests, day.llm_calls) == (2, 1, 0)
    assert week.cache_hits == 3


async def test_the_events_before_cache_hits_are_kept_and_new_ones_follow(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database of the release before cache hits were events, with a call recorded.
    cache_hits = next(i for i, step in enumerate(MIGRATIONS) if "cache hits" in step.name)
    monkeypatch.setattr(sql, "MIGRATIONS", MIGRATIONS[:cache_hits])
    before = await open_store(database_url)
    now = datetime.now(UTC)
    try:
        await before.record_usage(_call(now, 7, 7, 100, 0.5))
    finally:
        await before.close()
    monkeypatch.undo()
    after = await open_store(database_url)
    try:
        await after.record_usage(UsageEvent(now, 7, 7, "cache_hit"))
        await after.record_usage(_call(now, 8, 8, 50, 0.25))  # a fresh id, after the copied one
        day = await after.usage_stats(now - timedelta(days=1))
    finally:
        await after.close()
    assert (day.llm_calls, day.tokens, day.cache_hits, day.users) == (2, 150, 1, 2)

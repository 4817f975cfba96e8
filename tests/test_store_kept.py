"""The summary cache and the digest items in the store: expiry, replacement and pruning
(SQLite and PostgreSQL, the fixtures of test_store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.store.types import SharedLink, Store
from tests.test_store import database_url, store

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def test_a_cached_summary_lasts_until_it_expires(store: Store) -> None:
    await store.keep_summary(["k"], "https://example.org/a", '{"text": "one"}', T0, T0 + HOUR)
    assert await store.cached_summary("k", T0) == '{"text": "one"}'
    assert await store.cached_summary("k", T0 + HOUR) is None
    assert await store.cached_summary("other", T0) is None


async def test_one_summary_is_kept_under_several_keys_at_once(store: Store) -> None:
    await store.keep_summary(["by-text", "by-link"], "https://example.org/a", "{}", T0, T0 + HOUR)
    assert await store.cached_summary("by-text", T0) == "{}"
    assert await store.cached_summary("by-link", T0) == "{}"


async def test_a_newer_summary_replaces_the_cached_one(store: Store) -> None:
    await store.keep_summary(["k"], None, '{"text": "one"}', T0, T0 + HOUR)
    await store.keep_summary(["k"], None, '{"text": "two"}', T0 + HOUR, T0 + 3 * HOUR)
    assert await store.cached_summary("k", T0 + 2 * HOUR) == '{"text": "two"}'


async def test_pruning_forgets_old_links_and_expired_summaries(store: Store) -> None:
    links = [
        SharedLink(-1001, 0, 1, "https://example.org/old", 5, T0 - 31 * 24 * HOUR),
        SharedLink(-1001, 0, 2, "https://example.org/new", 5, T0),
    ]
    await store.add_shared_links(links)
    await store.keep_summary(["gone"], None, "{}", T0 - 2 * HOUR, T0 - HOUR)
    await store.keep_summary(["kept"], None, "{}", T0, T0 + HOUR)
    await store.prune_kept(shared_before=T0 - 30 * 24 * HOUR, at=T0)
    remaining = await store.shared_links(-1001, 0, T0 - 60 * 24 * HOUR)
    assert [link.url for link in remaining] == ["https://example.org/new"]
    # Expired entries are gone for good, not merely hidden.
    await store.keep_summary(["fresh"], None, "{}", T0, T0 + HOUR)
    assert await store.cached_summary("gone", T0 - 2 * HOUR) is None
    assert await store.cached_summary("kept", T0) == "{}"

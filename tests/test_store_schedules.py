"""Digest schedules and runs in the store, on SQLite and PostgreSQL (the fixtures of test_store)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.store import sql
from bot.core.store.open import open_store
from bot.core.store.schedule_types import ChannelSource
from bot.core.store.schema import MIGRATIONS
from bot.core.store.types import Store
from tests.test_store import BIG_CHAT, database_url, store
from tests.test_store_topics import _execute

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

NINE = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
SPEC = "daily 09:00 Europe/Berlin"
LEASE_S = 60.0


async def test_a_schedule_is_kept_replaced_and_dropped(store: Store) -> None:
    await store.set_schedule(BIG_CHAT, 0, SPEC, NINE)
    await store.set_schedule(BIG_CHAT, 5, "weekly mon 18:30 UTC", NINE + timedelta(days=4))
    await store.set_schedule(BIG_CHAT, 0, "daily 10:00 UTC", NINE + timedelta(hours=2))

    kept = await store.get_schedule(BIG_CHAT, 0)
    assert kept is not None
    assert (kept.spec, kept.next_at) == ("daily 10:00 UTC", NINE + timedelta(hours=2))
    due = await store.due_schedules(NINE + timedelta(days=5), 10)
    assert [(s.thread_id, s.spec) for s in due] == [
        (0, "daily 10:00 UTC"),
        (5, "weekly mon 18:30 UTC"),
    ]
    assert await store.due_schedules(NINE, 10) == []
    assert await store.drop_schedule(BIG_CHAT, 0)
    assert not await store.drop_schedule(BIG_CHAT, 0)
    assert await store.get_schedule(BIG_CHAT, 0) is None


async def test_a_period_gets_one_run_however_many_see_it(store: Store) -> None:
    await store.set_schedule(BIG_CHAT, 0, SPEC, NINE)
    (seen,) = await store.due_schedules(NINE, 10)
    tomorrow = NINE + timedelta(days=1)

    opened = [await store.open_run(seen, NINE, False, tomorrow) for _ in range(3)]

    assert opened == [True, False, False]
    assert await store.due_schedules(NINE + timedelta(hours=1), 10) == []
    runs = await store.claim_runs("a", LEASE_S, NINE, 10)
    assert [(r.chat_id, r.thread_id, r.period, r.late, r.parts, r.sent) for r in runs] == [
        (BIG_CHAT, 0, NINE, False, None, 0)
    ]


async def test_a_changed_schedule_keeps_its_own_next_run(store: Store) -> None:
    await store.set_schedule(BIG_CHAT, 0, SPEC, NINE)
    (seen,) = await store.due_schedules(NINE, 10)
    await store.set_schedule(BIG_CHAT, 0, "daily 12:00 UTC", NINE + timedelta(hours=4))

    await store.open_run(seen, NINE, False, NINE + timedelta(days=1))

    kept = await store.get_schedule(BIG_CHAT, 0)
    assert kept is not None
    assert kept.next_at == NINE + timedelta(hours=4)


async def test_parts_are_rendered_once_and_counted_as_sent(store: Store) -> None:
    await store.set_schedule(BIG_CHAT, 0, SPEC, NINE)
    (seen,) = await store.due_schedules(NINE, 10)
    await store.open_run(seen, NINE, True, NINE + timedelta(days=1))
    (run,) = await store.claim_runs("a", LEASE_S, NINE, 10)

    assert await store.set_run_parts(run.id, ["one", "two", "three"]) == ["one", "two", "three"]
    assert await store.set_run_parts(run.id, ["other"]) == ["one", "two", "three"]
    lease = NINE + timedelta(seconds=LEASE_S)
    assert await store.record_part(run.id, "a", 1, lease)
    assert not await store.record_part(run.id, "a", 1, lease)  # counted once
    assert not await store.record_part(run.id, "b", 2, lease)  # not its run

    assert await store.claim_runs("b", LEASE_S, NINE + timedelta(seconds=1), 10) == []
    (resumed,) = await store.claim_runs("b", LEASE_S, lease + timedelta(seconds=1), 10)
    assert (resumed.id, resumed.late, resumed.parts, resumed.sent) == (
        run.id,
        True,
        ["one", "two", "three"],
        1,
    )
    assert not await store.record_part(run.id, "a", 2, lease)  # "a" lost its lease
    assert not await store.renew_run(run.id, "a", lease)
    assert await store.renew_run(run.id, "b", lease + timedelta(seconds=LEASE_S))
    assert await store.claim_runs("c", LEASE_S, lease + timedelta(seconds=1), 10) == []
    assert await store.record_part(run.id, "b", 2, lease)
    await store.finish_run(run.id, "b", NINE)
    assert await store.claim_runs("c", LEASE_S, NINE + timedelta(days=1), 10) == []
    assert not await store.renew_run(run.id, "b", lease)  # done: nothing to keep


async def test_two_stores_claim_a_run_once(database_url: str) -> None:
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        await first.set_schedule(BIG_CHAT, 0, SPEC, NINE)
        (seen,) = await second.due_schedules(NINE, 10)
        opened = await asyncio.gather(
            first.open_run(seen, NINE, False, NINE + timedelta(days=1)),
            second.open_run(seen, NINE, False, NINE + timedelta(days=1)),
        )
        claims = await asyncio.gather(
            first.claim_runs("a", LEASE_S, NINE, 10), second.claim_runs("b", LEASE_S, NINE, 10)
        )
    finally:
        await first.close()
        await second.close()
    assert sorted(opened) == [False, True]
    assert sorted(len(claim) for claim in claims) == [0, 1]


async def test_a_channel_schedule_keeps_its_source_and_its_runs_carry_it(store: Store) -> None:
    channel = -1009990001
    to_group = ChannelSource(str(channel), 1002, BIG_CHAT, 0)
    to_alice = ChannelSource(str(channel), 1001, 1001, 0)
    await store.set_schedule(channel, 0, SPEC, NINE, to_group)
    await store.set_schedule(BIG_CHAT, 0, SPEC, NINE)  # the group's own, beside it
    await store.set_schedule(channel, 0, SPEC, NINE, to_alice)  # the destination replaced

    kept = await store.get_schedule(channel, 0)
    assert kept is not None
    assert kept.source == to_alice
    due = await store.due_schedules(NINE, 10)
    assert {(s.chat_id, s.source) for s in due} == {(channel, to_alice), (BIG_CHAT, None)}
    for seen in due:
        assert await store.open_run(seen, NINE, False, NINE + timedelta(days=1))
        assert not await store.open_run(seen, NINE, False, NINE + timedelta(days=1))
    runs = await store.claim_runs("a", LEASE_S, NINE, 10)
    assert sorted(run.destination for run in runs) == [(BIG_CHAT, 0), (1001, 0)]
    assert {run.source for run in runs} == {to_alice, None}


def _kept_schedule(channel: int, post_chat_id: int) -> tuple[str, str]:
    """A channel's schedule and its open run as the release before admins kept them."""
    at, source = f"'{NINE.isoformat()}'", f"'{channel}', {post_chat_id}, 0"
    return (
        "INSERT INTO digest_schedules (chat_id, thread_id, spec, next_at, channel, post_chat_id,"
        f" post_thread_id) VALUES ({channel}, 0, '{SPEC}', {at}, {source})",
        "INSERT INTO digest_runs (chat_id, thread_id, period, late, channel, post_chat_id,"
        f" post_thread_id) VALUES ({channel}, 0, {at}, FALSE, {source})",
    )


async def test_kept_channel_schedules_get_their_admin_or_stop_when_nobody_connected_them(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    admins = next(i for i, step in enumerate(MIGRATIONS) if step.name == "channel schedule admins")
    monkeypatch.setattr(sql, "MIGRATIONS", MIGRATIONS[:admins])
    before = await open_store(database_url)
    await before.close()
    monkeypatch.undo()
    to_alice, to_itself, orphan = -1001, -1003, -1002
    await _execute(
        database_url,
        "INSERT INTO channel_connections (user_id, channel, title, connected_at)"
        f" VALUES (1002, '{to_itself}', 'Eels', '{NINE.isoformat()}')",
        *_kept_schedule(to_alice, 1001),  # posted to Alice's private chat: hers
        *_kept_schedule(to_itself, to_itself),  # posted to the channel: Bob connected it
        *_kept_schedule(orphan, orphan),  # nobody connected it any more
    )
    after = await open_store(database_url)
    try:
        kept = {c: await after.get_schedule(c, 0) for c in (to_alice, to_itself, orphan)}
        runs = await after.claim_runs("a", LEASE_S, NINE, 10)
    finally:
        await after.close()
    sources = {channel: found.source if found else None for channel, found in kept.items()}
    assert sources == {
        to_alice: ChannelSource(str(to_alice), 1001, 1001),
        to_itself: ChannelSource(str(to_itself), 1002, to_itself),
        orphan: None,
    }
    assert {run.source for run in runs} == {sources[to_alice], sources[to_itself]}


async def test_migrate_chat_moves_schedules_runs_and_channel_schedules_posting_there(
    store: Store,
) -> None:
    old_chat, channel, tomorrow = -4_000_000_001, -1009990001, NINE + timedelta(days=1)
    into_group = ChannelSource(str(channel), 1002, old_chat, 0)
    await store.set_schedule(old_chat, 0, SPEC, NINE)
    await store.set_schedule(old_chat, 5, SPEC, NINE)  # the new chat has its own for topic 5
    await store.set_schedule(BIG_CHAT, 5, "daily 12:00 UTC", NINE)
    await store.set_schedule(channel, 0, SPEC, NINE, into_group)
    for seen in await store.due_schedules(NINE, 10):
        await store.open_run(seen, NINE, False, tomorrow)

    await store.migrate_chat(old_chat, BIG_CHAT)

    kept = {(s.chat_id, s.thread_id): s for s in await store.due_schedules(tomorrow, 10)}
    assert sorted(kept) == [(BIG_CHAT, 0), (BIG_CHAT, 5), (channel, 0)]
    assert kept[BIG_CHAT, 5].spec == "daily 12:00 UTC"
    assert kept[channel, 0].source == ChannelSource(str(channel), 1002, BIG_CHAT, 0)
    runs = await store.claim_runs("a", LEASE_S, NINE, 10)
    assert sorted(run.destination for run in runs) == [(BIG_CHAT, 0), (BIG_CHAT, 0), (BIG_CHAT, 5)]
    assert await store.get_schedule(old_chat, 0) is None

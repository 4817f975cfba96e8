"""The request queue in the store, on SQLite and PostgreSQL (the fixtures of test_store)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from bot.core.store.open import open_store
from bot.core.store.types import ClaimedRequest, NewRequest, Store
from tests.test_store import database_url, store

__all__ = ["database_url", "store"]  # the fixtures, shared with test_store

OWNER = "process-a"
LEASE_S = 30.0


async def _one(store: Store, owner: str, lease_s: float) -> ClaimedRequest | None:
    claimed = await store.claim_requests(owner, lease_s, 1)
    return claimed[0] if claimed else None


def _request(update_id: int, conversation: str = "1:0", *, done: bool = False) -> NewRequest:
    return NewRequest(update_id, conversation, 7, f'{{"update_id": {update_id}}}', done)


async def test_accepting_ignores_redelivered_updates(store: Store) -> None:
    assert await store.accept_requests([_request(1), _request(2)]) == {1, 2}
    assert await store.accept_requests([_request(2), _request(3)]) == {3}
    claimed = [await _one(store, OWNER, LEASE_S) for _ in range(3)]
    assert [c.update_id for c in claimed if c] == [1]  # one conversation: one at a time


async def test_a_conversation_runs_in_order_one_at_a_time(store: Store) -> None:
    await store.accept_requests([_request(1, "a"), _request(2, "a"), _request(3, "b")])
    first = await _one(store, OWNER, LEASE_S)
    other = await _one(store, OWNER, LEASE_S)
    assert first is not None
    assert other is not None
    assert (first.update_id, other.update_id) == (1, 3)
    assert await _one(store, OWNER, LEASE_S) is None
    await store.finish_request(first.id, OWNER)
    second = await _one(store, OWNER, LEASE_S)
    assert second is not None
    assert second.update_id == 2
    assert json.loads(second.payload) == {"update_id": 2}


async def test_one_claim_takes_the_head_of_each_conversation(store: Store) -> None:
    await store.accept_requests([_request(n, f"chat{n % 3}") for n in range(1, 10)])
    claimed = await store.claim_requests(OWNER, LEASE_S, 100)
    assert [c.update_id for c in claimed] == [1, 2, 3]
    assert [c.update_id for c in await store.claim_requests(OWNER, LEASE_S, 1)] == []


async def test_requests_done_on_arrival_are_never_claimed(store: Store) -> None:
    await store.accept_requests([_request(1, done=True), _request(2)])
    claimed = await _one(store, OWNER, LEASE_S)
    assert claimed is not None
    assert claimed.update_id == 2


async def test_an_expired_lease_is_claimed_again_with_its_reply_record(store: Store) -> None:
    await store.accept_requests([_request(1), _request(2)])
    dead = await _one(store, "dead-process", 0.05)
    assert dead is not None
    await store.record_placeholder(dead.id, 555)
    assert await _one(store, OWNER, LEASE_S) is None  # the head is still leased
    await asyncio.sleep(0.1)
    again = await _one(store, OWNER, LEASE_S)
    assert again is not None
    assert again.id == dead.id
    assert (again.attempts, again.placeholder_id, again.replied) == (2, 555, False)
    await store.finish_request(again.id, "dead-process")  # a lost lease finishes nothing
    assert await _one(store, OWNER, LEASE_S) is None
    await store.record_reply(again.id)
    await store.finish_request(again.id, OWNER)
    following = await _one(store, OWNER, LEASE_S)
    assert following is not None
    assert following.update_id == 2


async def test_renewed_leases_are_not_taken_over(store: Store) -> None:
    await store.accept_requests([_request(1)])
    await _one(store, OWNER, 0.05)
    await store.renew_leases(OWNER, LEASE_S)
    await asyncio.sleep(0.1)
    assert await _one(store, "process-b", LEASE_S) is None


async def test_a_released_request_is_taken_again_at_once(store: Store) -> None:
    await store.accept_requests([_request(1)])
    claimed = await _one(store, OWNER, LEASE_S)
    assert claimed is not None
    await store.release_request(claimed.id, OWNER)
    again = await _one(store, "process-b", LEASE_S)
    assert again is not None
    assert again.id == claimed.id


async def test_two_stores_never_claim_the_same_request(database_url: str) -> None:
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        await first.accept_requests([_request(n, f"chat{n % 5}") for n in range(1, 41)])
        claims = await asyncio.gather(
            *(_one(s, f"p{i}", LEASE_S) for i in range(10) for s in (first, second))
        )
        taken = [c.conversation for c in claims if c is not None]
        assert sorted(taken) == [f"chat{n}" for n in range(5)]  # each head once, no more
    finally:
        await first.close()
        await second.close()


async def test_pruning_forgets_only_finished_requests(store: Store) -> None:
    await store.accept_requests([_request(1, "a"), _request(2, "b")])
    claimed = await _one(store, OWNER, LEASE_S)
    assert claimed is not None
    await store.finish_request(claimed.id, OWNER)
    await store.prune_requests(datetime.now(UTC) - timedelta(hours=1))
    assert await store.accept_requests([_request(1, "a")]) == set()  # finished, still kept
    await store.prune_requests(datetime.now(UTC) + timedelta(seconds=1))
    assert await store.accept_requests([_request(1, "a"), _request(2, "b")]) == {1}


async def test_open_requests_are_counted_by_state(store: Store) -> None:
    assert await store.open_requests() == {}
    await store.accept_requests(
        [_request(1, "a"), _request(2, "a"), _request(3, "b"), _request(4, "c", done=True)]
    )
    claimed = await store.claim_requests(OWNER, LEASE_S, 10)  # the heads of a and b
    assert await store.open_requests() == {"pending": 1, "running": 2}
    for request in claimed:
        await store.finish_request(request.id, OWNER)
    assert await store.open_requests() == {"pending": 1}


async def test_dropping_a_conversations_queue_keeps_its_work_in_flight(store: Store) -> None:
    await store.accept_requests(
        [_request(1, "a"), _request(2, "a"), _request(3, "a"), _request(4, "b")]
    )
    await store.accept_requests([_request(5, "a", done=True)])
    running = await _one(store, OWNER, LEASE_S)
    assert running is not None
    assert await store.drop_queued("a") == 2  # 2 and 3; not 1 (running), 4 (another), 5 (done)
    assert await store.drop_queued("a") == 0
    await store.finish_request(running.id, OWNER)
    assert [c.update_id for c in await store.claim_requests(OWNER, LEASE_S, 10)] == [4]


async def test_a_conversations_earlier_requests_newest_first(store: Store) -> None:
    await store.accept_requests([_request(n, "a" if n != 3 else "b") for n in range(1, 6)])
    claimed = await store.claim_requests(OWNER, LEASE_S, 10)
    first = next(c for c in claimed if c.update_id == 1)
    later = 2**31 - 1
    payloads = await store.earlier_requests("a", later, 2)
    assert payloads == ['{"update_id": 5}', '{"update_id": 4}']
    assert len(await store.earlier_requests("a", later, 10)) == 4  # not 3: another conversation
    assert await store.earlier_requests("a", first.id, 10) == []


async def test_a_cancel_is_noted_on_the_running_request_and_heard_by_watchers(
    store: Store,
) -> None:
    heard: list[int] = []
    await store.watch_cancels(heard.append)
    await store.accept_requests([_request(1, "a"), _request(2, "a")])
    assert not await store.request_cancel("a")  # nothing runs yet
    running = await _one(store, OWNER, LEASE_S)
    assert running is not None
    assert await store.request_cancel("a")
    for _ in range(3000):  # PostgreSQL's NOTIFY comes back on the listening connection
        if heard:
            break
        await asyncio.sleep(0.01)
    assert heard == [running.id]
    assert await store.renew_leases(OWNER, LEASE_S) == {running.id}  # should a watcher miss it
    await store.finish_request(running.id, OWNER)
    queued = await _one(store, OWNER, LEASE_S)
    assert queued is not None
    assert not queued.cancel_requested  # the cancel stopped the work in flight only
    assert await store.renew_leases(OWNER, LEASE_S) == set()


async def test_a_queued_request_is_noted_once_and_only_behind_slow_work(store: Store) -> None:
    await store.accept_requests([_request(1, "a"), _request(2, "a"), _request(3, "a")])
    head = await _one(store, OWNER, LEASE_S)
    assert head is not None
    assert not await store.note_queued(2)  # the head is quick (a command): no note
    await store.mark_slow(head.id)
    assert await store.note_queued(2)
    assert not await store.note_queued(2)  # once, whichever replica asks again
    assert await store.note_queued(3)
    assert not await store.note_queued(1)  # the slow one itself is no queued request


async def test_a_request_absorbs_the_requests_behind_it_once(store: Store) -> None:
    await store.accept_requests([_request(n, "a") for n in (1, 2, 3)] + [_request(4, "b")])
    head = await _one(store, "dead-process", 0.05)
    assert head is not None
    behind = await store.requests_behind(head, 10)
    assert [(q.id, q.absorbed) for q in behind] == [(head.id + 1, False), (head.id + 2, False)]
    assert json.loads(behind[1].payload) == {"update_id": 3}
    assert await store.absorb_requests(head, [behind[0].id]) == {behind[0].id}
    assert await store.absorb_requests(head, [behind[0].id]) == set()  # taken once only
    await asyncio.sleep(0.1)
    again = await _one(store, OWNER, LEASE_S)  # the worker died: its retry finds the part
    assert again is not None
    assert again.id == head.id
    assert [(q.id, q.absorbed) for q in await store.requests_behind(again, 10)] == [
        (head.id + 1, True),
        (head.id + 2, False),
    ]
    await store.finish_request(again.id, OWNER)
    following = await store.claim_requests(OWNER, LEASE_S, 10)
    assert [c.update_id for c in following] == [3, 4]  # an absorbed part never runs alone


async def test_only_requests_of_the_same_conversation_are_absorbed(store: Store) -> None:
    await store.accept_requests([_request(1, "a"), _request(2, "b")])
    head = await _one(store, OWNER, LEASE_S)
    assert head is not None
    other = head.id + 1
    assert await store.requests_behind(head, 10) == []
    assert await store.absorb_requests(head, [other]) == set()


async def test_processes_see_each_other_through_their_heartbeats(database_url: str) -> None:
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        assert await first.heartbeat("a", 60) == 1
        assert await second.heartbeat("b", 60) == 2
        assert await first.heartbeat("a", 60) == 2  # a beat again is the same process
        await second.leave("b")
        assert await first.heartbeat("a", 60) == 1
        await second.heartbeat("b", 60)
        await asyncio.sleep(0.1)
        assert await first.heartbeat("a", 0.05) == 1  # b fell silent: no longer counted
    finally:
        await first.close()
        await second.close()

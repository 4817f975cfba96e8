"""The request queue's SQL (`bot.core.work` drives it), portable like the rest of the Store.

A request belongs to a conversation; only the conversation's head (its lowest unfinished id)
may be claimed, so one conversation runs one request at a time, in arrival order, whichever
process claims it. A claim is a lease: a worker that dies stops renewing it, and once it
expires the request is claimed again. On PostgreSQL the pick skips rows another process is
claiming at that moment (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.core.store.clock import as_datetime, now
from bot.core.store.schema import Dialect
from bot.core.store.statements import Statements
from bot.core.store.types import ClaimedRequest, NewRequest, QueuedRequest

_BEHIND = (
    "SELECT id, user_id, payload, received_at, 1 FROM requests WHERE absorbed_into = ?"
    " UNION ALL SELECT id, user_id, payload, received_at, 0 FROM requests"
    " WHERE conversation = ? AND state <> 'done' AND id > ?"
    " ORDER BY id LIMIT ?"
)
_CLAIM = (
    "UPDATE requests SET state = 'running', lease_owner = ?, lease_expires = ?,"
    " attempts = attempts + 1"
    " WHERE id IN (SELECT r.id FROM requests r"
    " WHERE r.state <> 'done' AND (r.state = 'pending' OR r.lease_expires < ?)"
    " AND NOT EXISTS (SELECT 1 FROM requests e"
    " WHERE e.conversation = r.conversation AND e.state <> 'done' AND e.id < r.id)"
    " ORDER BY r.id LIMIT ?{skip_locked})"
    " RETURNING id, update_id, conversation, user_id, payload, attempts, received_at,"
    " placeholder_id, replied_at, cancel_requested"
)
# A queued request gets its note once, and only while a summary or answer runs before it.
_NOTE = (
    "UPDATE requests SET noted_at = ? WHERE update_id = ? AND noted_at IS NULL"
    " AND state = 'pending' AND EXISTS (SELECT 1 FROM requests h"
    " WHERE h.conversation = requests.conversation AND h.state = 'running' AND h.slow"
    " AND h.id < requests.id) RETURNING id"
)

CancelWatcher = Callable[[int], None]


class RequestQueries(Statements):
    """The Store's request methods; `SQLStore` supplies the statements."""

    _dialect: Dialect
    _cancel_watchers: list[CancelWatcher]

    async def accept_requests(self, batch: Sequence[NewRequest]) -> set[int]:
        """Keep updates, all or none; returns the update ids new to the store (not redelivered)."""
        if not batch:
            return set()
        received = now()
        values = [
            value
            for request in batch
            for value in (
                request.update_id,
                request.conversation,
                request.user_id,
                request.payload,
                "done" if request.done else "pending",
                received,
            )
        ]
        # One statement is atomic: the poller acknowledges the batch only once it returns.
        rows = await self._statement(
            "INSERT INTO requests (update_id, conversation, user_id, payload, state, received_at)"
            " VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(batch)) + " ON CONFLICT"
            " (update_id) DO NOTHING RETURNING update_id",
            *values,
        )
        return {row[0] for row in rows}

    async def claim_requests(self, owner: str, lease_s: float, limit: int) -> list[ClaimedRequest]:
        """Take up to `limit` requests, each the head of its conversation and pending or with an
        expired lease, oldest first, leased to `owner`."""
        moment = now()
        rows = await self._statement(
            _CLAIM.format(skip_locked=self._dialect.skip_locked),
            owner,
            moment + timedelta(seconds=lease_s),
            moment,
            limit,
        )
        return sorted((_claimed(row) for row in rows), key=lambda request: request.id)

    async def renew_leases(self, owner: str, lease_s: float) -> set[int]:
        """Extend every lease `owner` holds by `lease_s` from now; returns the ids of those
        requests whose cancel was requested (in case the announcement was missed)."""
        rows = await self._statement(
            "UPDATE requests SET lease_expires = ? WHERE lease_owner = ? AND state = 'running'"
            " RETURNING id, cancel_requested",
            now() + timedelta(seconds=lease_s),
            owner,
        )
        return {row[0] for row in rows if row[1]}

    async def request_cancel(self, conversation: str) -> bool:
        """Ask whichever process runs the conversation's request to stop it; False when none
        runs. The holder hears of it through `watch_cancels`, or at its next lease renewal."""
        rows = await self._statement(
            "UPDATE requests SET cancel_requested = TRUE"
            " WHERE conversation = ? AND state = 'running' RETURNING id",
            conversation,
        )
        if rows:
            await self._announce_cancels([row[0] for row in rows])
        return bool(rows)

    async def watch_cancels(self, on_cancel: CancelWatcher) -> None:
        """Call `on_cancel(request_id)` for each cancel requested from now on (in this process
        here; from any process where the backend can tell, PostgreSQL's LISTEN)."""
        self._cancel_watchers.append(on_cancel)

    async def _announce_cancels(self, request_ids: list[int]) -> None:
        """Tell the watchers; a backend shared by processes tells theirs too."""
        for request_id in request_ids:
            for watcher in self._cancel_watchers:
                watcher(request_id)

    async def mark_slow(self, request_id: int) -> None:
        """The request's work is a summary or an answer: messages queued behind it get a note."""
        await self._statement("UPDATE requests SET slow = TRUE WHERE id = ?", request_id)

    async def note_queued(self, update_id: int) -> bool:
        """True (once per request, whoever asks) when the request waits behind slow work and
        its "still working" note is due; recorded as sent."""
        return bool(await self._statement(_NOTE, now(), update_id))

    async def record_placeholder(self, request_id: int, message_id: int) -> None:
        """Remember the message that shows a request's progress, for a retry to edit."""
        await self._statement(
            "UPDATE requests SET placeholder_id = ? WHERE id = ?", message_id, request_id
        )

    async def record_reply(self, request_id: int) -> None:
        """Remember that a request's final reply was sent: it is never answered again."""
        await self._statement("UPDATE requests SET replied_at = ? WHERE id = ?", now(), request_id)

    async def requests_behind(self, request: ClaimedRequest, limit: int) -> list[QueuedRequest]:
        """Up to `limit` requests queued right behind `request` in its conversation, in order,
        with those an earlier attempt absorbed into it first."""
        rows = await self._query(_BEHIND, request.id, request.conversation, request.id, limit)
        return [
            QueuedRequest(row[0], row[1], row[2], as_datetime(row[3]), bool(row[4])) for row in rows
        ]

    async def absorb_requests(
        self, request: ClaimedRequest, request_ids: Sequence[int]
    ) -> set[int]:
        """Mark requests waiting behind `request` done as its parts (a split paste), in one
        statement; returns the ids taken (one no longer waiting is not)."""
        if not request_ids:
            return set()
        rows = await self._statement(
            "UPDATE requests SET state = 'done', finished_at = ?, absorbed_into = ?"
            " WHERE conversation = ? AND state = 'pending' AND id > ? AND id IN ("
            + ", ".join(["?"] * len(request_ids))
            + ") RETURNING id",
            now(),
            request.id,
            request.conversation,
            request.id,
            *request_ids,
        )
        return {row[0] for row in rows}

    async def finish_request(self, request_id: int, owner: str) -> None:
        """Mark a request done (answered, failed or cancelled) unless its lease was lost."""
        await self._statement(
            "UPDATE requests SET state = 'done', finished_at = ?, lease_owner = NULL"
            " WHERE id = ? AND lease_owner = ?",
            now(),
            request_id,
            owner,
        )

    async def release_request(self, request_id: int, owner: str) -> None:
        """Give a request back (the process is stopping), to be taken again at once."""
        await self._statement(
            "UPDATE requests SET state = 'pending', lease_owner = NULL, lease_expires = NULL"
            " WHERE id = ? AND lease_owner = ? AND state = 'running'",
            request_id,
            owner,
        )

    async def open_requests(self) -> dict[str, int]:
        """How many requests are not done yet, by state ("pending", "running")."""
        rows = await self._statement(
            "SELECT state, COUNT(*) FROM requests WHERE state <> 'done' GROUP BY state"
        )
        return {state: int(count) for state, count in rows}

    async def drop_queued(self, conversation: str) -> int:
        """Finish the conversation's requests still waiting (not the one running); how many."""
        rows = await self._statement(
            "UPDATE requests SET state = 'done', finished_at = ?"
            " WHERE conversation = ? AND state = 'pending' RETURNING id",
            now(),
            conversation,
        )
        return len(rows)

    async def earlier_requests(self, conversation: str, before_id: int, limit: int) -> list[str]:
        """The payloads of the conversation's last `limit` requests before `before_id`,
        newest first (kept for a day after they finish)."""
        rows = await self._statement(
            "SELECT payload FROM requests WHERE conversation = ? AND id < ?"
            " ORDER BY id DESC LIMIT ?",
            conversation,
            before_id,
            limit,
        )
        return [row[0] for row in rows]

    async def heartbeat(self, owner: str, alive_s: float) -> int:
        """Record that process `owner` is alive; returns how many processes were alive within
        the last `alive_s` (itself included)."""
        moment = now()
        cutoff = moment - timedelta(seconds=alive_s)
        # A dead process's row goes: a live one writes its own again at its next beat.
        await self._statement("DELETE FROM replicas WHERE last_seen < ?", cutoff)
        await self._statement(
            "INSERT INTO replicas (owner, last_seen) VALUES (?, ?)"
            " ON CONFLICT (owner) DO UPDATE SET last_seen = excluded.last_seen",
            owner,
            moment,
        )
        rows = await self._query("SELECT count(*) FROM replicas WHERE last_seen >= ?", cutoff)
        return max(1, int(rows[0][0]))

    async def leave(self, owner: str) -> None:
        """Forget the heartbeat of `owner`, which stops: the others take its share at once."""
        await self._statement("DELETE FROM replicas WHERE owner = ?", owner)

    async def prune_requests(self, finished_before: datetime) -> None:
        """Forget requests finished before `finished_before` (kept until then to dedupe)."""
        await self._statement(
            "DELETE FROM requests WHERE state = 'done' AND finished_at < ?", finished_before
        )


def _claimed(row: Sequence[Any]) -> ClaimedRequest:
    (request_id, update_id, conversation, user_id, payload, attempts, *reply) = row
    received_at, placeholder_id, replied_at, cancel_requested = reply
    return ClaimedRequest(
        request_id,
        update_id,
        conversation,
        user_id,
        payload,
        attempts,
        as_datetime(received_at),
        placeholder_id,
        replied_at is not None,
        bool(cancel_requested),
    )

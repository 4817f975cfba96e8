"""The Store's digest schedules and runs, in portable SQL.

A run is claimed like a queued request: a lease a dead process stops renewing. The unique
(chat, topic, period) key makes the run itself exactly once, whichever process sees it first; a
connected channel's schedule is keyed by the channel, so its runs are once per channel and period.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.core.store.clock import as_datetime, as_utc
from bot.core.store.schedule_types import ChannelSource, DigestRun, StoredSchedule
from bot.core.store.schema import Dialect
from bot.core.store.statements import Statements

_SOURCE = "channel, admin_id, post_chat_id, post_thread_id"
_SCHEDULE = f"SELECT chat_id, thread_id, spec, next_at, {_SOURCE} FROM digest_schedules"
_RUN = f"id, chat_id, thread_id, period, late, parts, sent, {_SOURCE}"
_CLAIM = (
    "UPDATE digest_runs SET lease_owner = ?, lease_expires = ?"
    " WHERE id IN (SELECT id FROM digest_runs WHERE done_at IS NULL"
    " AND (lease_expires IS NULL OR lease_expires < ?) ORDER BY period, id LIMIT ?{skip_locked})"
    f" RETURNING {_RUN}"
)


class ScheduleQueries(Statements):
    """The Store's schedule methods; `SQLStore` supplies the statements."""

    _dialect: Dialect

    async def set_schedule(
        self,
        chat_id: int,
        thread_id: int,
        spec: str,
        next_at: datetime,
        source: ChannelSource | None = None,
    ) -> None:
        """Keep (or replace) a topic's (or with `source`, a channel's) schedule."""
        await self._statement(
            f"INSERT INTO digest_schedules (chat_id, thread_id, spec, next_at, {_SOURCE})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, thread_id) DO UPDATE SET"
            " spec = excluded.spec, next_at = excluded.next_at, channel = excluded.channel,"
            " admin_id = excluded.admin_id,"
            " post_chat_id = excluded.post_chat_id, post_thread_id = excluded.post_thread_id",
            chat_id,
            thread_id,
            spec,
            as_utc(next_at),
            *_source_values(source),
        )

    async def drop_schedule(self, chat_id: int, thread_id: int) -> bool:
        """Forget a topic's schedule; False when it had none."""
        rows = await self._statement(
            "DELETE FROM digest_schedules WHERE chat_id = ? AND thread_id = ? RETURNING chat_id",
            chat_id,
            thread_id,
        )
        return bool(rows)

    async def get_schedule(self, chat_id: int, thread_id: int) -> StoredSchedule | None:
        """A topic's schedule, if it has one."""
        sql = f"{_SCHEDULE} WHERE chat_id = ? AND thread_id = ?"
        rows = await self._query(sql, chat_id, thread_id)
        return _schedule(rows[0]) if rows else None

    async def due_schedules(self, at: datetime, limit: int) -> list[StoredSchedule]:
        """Schedules whose next run is at `at` or before, earliest first."""
        sql = f"{_SCHEDULE} WHERE next_at <= ? ORDER BY next_at, chat_id, thread_id LIMIT ?"
        return [_schedule(row) for row in await self._query(sql, as_utc(at), limit)]

    async def open_run(
        self, schedule: StoredSchedule, period: datetime, late: bool, next_at: datetime
    ) -> bool:
        """Record the run of `period` (unless a process did already) and move the schedule on to
        `next_at`, in one transaction; True when this call recorded it."""
        async with self._session() as db:
            rows = await db.fetch(
                f"INSERT INTO digest_runs (chat_id, thread_id, period, late, {_SOURCE})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id, thread_id, period) DO NOTHING RETURNING id",
                schedule.chat_id,
                schedule.thread_id,
                as_utc(period),
                late,
                *_source_values(schedule.source),
            )
            # Only if nobody changed the schedule meanwhile (a new one keeps its own next run).
            await db.execute(
                "UPDATE digest_schedules SET next_at = ? WHERE chat_id = ? AND thread_id = ?"
                " AND spec = ? AND next_at = ?",
                as_utc(next_at),
                schedule.chat_id,
                schedule.thread_id,
                schedule.spec,
                as_utc(schedule.next_at),
            )
        return bool(rows)

    async def claim_runs(
        self, owner: str, lease_s: float, at: datetime, limit: int
    ) -> list[DigestRun]:
        """Lease unfinished runs that nobody holds (or whose holder's lease expired)."""
        moment = as_utc(at)
        rows = await self._statement(
            _CLAIM.format(skip_locked=self._dialect.skip_locked),
            owner,
            moment + timedelta(seconds=lease_s),
            moment,
            limit,
        )
        return sorted((_run(row) for row in rows), key=lambda run: (run.period, run.id))

    async def set_run_parts(self, run_id: int, parts: list[str]) -> list[str]:
        """Keep a run's rendered parts unless some are kept already; the kept ones."""
        document = json.dumps(parts, ensure_ascii=False)
        async with self._session() as db:
            await db.execute(
                "UPDATE digest_runs SET parts = ? WHERE id = ? AND parts IS NULL", document, run_id
            )
            rows = await db.fetch("SELECT parts FROM digest_runs WHERE id = ?", run_id)
        return _parts(rows[0][0]) or []

    async def record_part(self, run_id: int, owner: str, sent: int, lease_until: datetime) -> bool:
        """Count part `sent` (1-based) as posted and extend the lease; False when `owner` lost
        the run."""
        rows = await self._statement(
            "UPDATE digest_runs SET sent = ?, lease_expires = ?"
            " WHERE id = ? AND lease_owner = ? AND sent = ? RETURNING id",
            sent,
            as_utc(lease_until),
            run_id,
            owner,
            sent - 1,
        )
        return bool(rows)

    async def renew_run(self, run_id: int, owner: str, lease_until: datetime) -> bool:
        """Extend `owner`'s lease of an unfinished run; False when it lost the run."""
        rows = await self._statement(
            "UPDATE digest_runs SET lease_expires = ? WHERE id = ? AND lease_owner = ?"
            " AND done_at IS NULL RETURNING id",
            as_utc(lease_until),
            run_id,
            owner,
        )
        return bool(rows)

    async def finish_run(self, run_id: int, owner: str, at: datetime) -> None:
        """Mark a run done."""
        await self._statement(
            "UPDATE digest_runs SET done_at = ?, lease_expires = NULL WHERE id = ? AND lease_owner = ?",
            as_utc(at),
            run_id,
            owner,
        )


def _schedule(row: Sequence[Any]) -> StoredSchedule:
    chat_id, thread_id, spec, next_at = row[:4]
    return StoredSchedule(chat_id, thread_id, spec, as_datetime(next_at), _source(row[4:]))


def _run(row: Sequence[Any]) -> DigestRun:
    run_id, chat_id, thread_id, period, late, parts, sent = row[:7]
    return DigestRun(
        run_id,
        chat_id,
        thread_id,
        as_datetime(period),
        bool(late),
        _parts(parts),
        sent,
        _source(row[7:]),
    )


def _source_values(source: ChannelSource | None) -> tuple[Any, ...]:
    if source is None:
        return None, None, None, None
    return source.channel, source.admin_id, source.chat_id, source.thread_id


def _source(values: Sequence[Any]) -> ChannelSource | None:
    channel, admin_id, chat_id, thread_id = values
    return None if channel is None else ChannelSource(channel, admin_id, chat_id, thread_id)


def _parts(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(part) for part in (json.loads(value) if isinstance(value, str) else value)]

"""What the Store keeps of digest schedules and their runs, and the methods that reach them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ChannelSource:
    """A channel's schedule: the channel digested (its key), the admin who set it (who connected
    the channel), and the chat and topic posted to."""

    channel: str
    admin_id: int
    chat_id: int
    thread_id: int = 0


@dataclass(frozen=True)
class StoredSchedule:
    """A chat topic's schedule (as `Schedule.spec`) and when it next fires; a channel's (keyed
    by its chat id, topic 0) says what it digests and where it goes."""

    chat_id: int
    thread_id: int
    spec: str
    next_at: datetime
    source: ChannelSource | None = None


@dataclass(frozen=True)
class DigestRun:
    """One scheduled digest: its period (when it fired), its parts once rendered, how many sent."""

    id: int
    chat_id: int
    thread_id: int
    period: datetime
    late: bool
    parts: list[str] | None
    sent: int
    source: ChannelSource | None = None

    @property
    def destination(self) -> tuple[int, int]:
        """The chat and topic its parts are posted to."""
        if self.source is None:
            return self.chat_id, self.thread_id
        return self.source.chat_id, self.source.thread_id


class ScheduleStore(Protocol):
    """The Store's schedule and run methods."""

    async def set_schedule(
        self,
        chat_id: int,
        thread_id: int,
        spec: str,
        next_at: datetime,
        source: ChannelSource | None = None,
    ) -> None:
        """Keep (or replace) a topic's (or with `source`, a channel's) schedule."""
        ...

    async def drop_schedule(self, chat_id: int, thread_id: int) -> bool:
        """Forget a topic's schedule; False when it had none."""
        ...

    async def get_schedule(self, chat_id: int, thread_id: int) -> StoredSchedule | None:
        """A topic's schedule, if it has one."""
        ...

    async def due_schedules(self, at: datetime, limit: int) -> list[StoredSchedule]:
        """Schedules whose next run is at `at` or before, earliest first."""
        ...

    async def open_run(
        self, schedule: StoredSchedule, period: datetime, late: bool, next_at: datetime
    ) -> bool:
        """Record the run of `period` (unless a process did already) and move the schedule on to
        `next_at`, in one transaction; True when this call recorded it."""
        ...

    async def claim_runs(
        self, owner: str, lease_s: float, at: datetime, limit: int
    ) -> list[DigestRun]:
        """Lease unfinished runs that nobody holds (or whose holder's lease expired)."""
        ...

    async def set_run_parts(self, run_id: int, parts: list[str]) -> list[str]:
        """Keep a run's rendered parts unless some are kept already; the kept ones."""
        ...

    async def record_part(self, run_id: int, owner: str, sent: int, lease_until: datetime) -> bool:
        """Count part `sent` (1-based) as posted and extend the lease; False when `owner` lost
        the run."""
        ...

    async def renew_run(self, run_id: int, owner: str, lease_until: datetime) -> bool:
        """Extend `owner`'s lease of an unfinished run; False when it lost the run."""
        ...

    async def finish_run(self, run_id: int, owner: str, at: datetime) -> None:
        """Mark a run done."""
        ...

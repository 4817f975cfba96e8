"""When a chat's digest comes by itself: `daily 09:00 Europe/Berlin`, `weekly mon 18:30 UTC`.

Times are local to an IANA zone, so a 09:00 digest stays at 09:00 across daylight-saving changes;
a local time the clocks skip is taken at the offset before the change (02:30 becomes 03:30).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import BadTimeError, ScheduleError, UnknownZoneError
from bot.core.store.schedule_types import StoredSchedule

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_SEARCH_DAYS = 8  # a weekly schedule fires within any eight consecutive days


@dataclass(frozen=True)
class Schedule:
    """Daily, or weekly on `weekday` (0 is Monday), at `at` local time in `zone`."""

    at: time
    zone: str
    weekday: int | None = None

    @property
    def spec(self) -> str:
        """The schedule as the command takes it, and as the store keeps it."""
        every = "daily" if self.weekday is None else f"weekly {WEEKDAYS[self.weekday]}"
        return f"{every} {self.at:%H:%M} {self.zone}"

    def latest_at_or_before(self, moment: datetime) -> datetime:
        """The last time it fired up to `moment` (UTC)."""
        start = moment.astimezone(ZoneInfo(self.zone)).date()
        days = (start - timedelta(days=n) for n in range(_SEARCH_DAYS))
        return next(at for at in self._fires(days) if at <= moment)

    def next_after(self, moment: datetime) -> datetime:
        """The first time it fires after `moment` (UTC)."""
        start = moment.astimezone(ZoneInfo(self.zone)).date() - timedelta(days=1)
        days = (start + timedelta(days=n) for n in range(_SEARCH_DAYS + 1))
        return next(at for at in self._fires(days) if at > moment)

    def _fires(self, days: Iterable[date]) -> Iterator[datetime]:
        zone = ZoneInfo(self.zone)
        return (
            datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)
            for day in days
            if self.weekday is None or day.weekday() == self.weekday
        )


def parse_schedule(words: list[str]) -> Schedule:
    """`daily HH:MM ZONE` or `weekly DAY HH:MM ZONE`; raises a ScheduleError saying what is wrong."""
    lowered = [word.lower() for word in words]
    if len(words) == 3 and lowered[0] == "daily":
        return Schedule(_time(words[1]), _zone(words[2]))
    if len(words) == 4 and lowered[0] == "weekly" and lowered[1][:3] in WEEKDAYS:
        return Schedule(_time(words[2]), _zone(words[3]), WEEKDAYS.index(lowered[1][:3]))
    raise ScheduleError("not a schedule")


def schedule_of(stored: StoredSchedule) -> Schedule:
    """The schedule a stored one keeps (its spec was written by `Schedule.spec`)."""
    return parse_schedule(stored.spec.split())


def _time(value: str) -> time:
    match = _TIME.match(value)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise BadTimeError("not a time of day", time=value)
    return time(int(match.group(1)), int(match.group(2)))


def _zone(value: str) -> str:
    try:
        return ZoneInfo(value).key
    # ValueError: a path-like name; OSError: one too long for a file name
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownZoneError("not an IANA time zone", zone=value) from exc

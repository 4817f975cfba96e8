"""Time as the store keeps it: aware UTC datetimes (SQLite holds them as ISO 8601 text)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def day_start(moment: datetime) -> datetime:
    """The UTC midnight that began the day of `moment`."""
    return as_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(moment: datetime) -> datetime:
    """The first of the month of `moment`, at UTC midnight."""
    return day_start(moment).replace(day=1)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive ones are taken as UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_datetime(value: datetime | str) -> datetime:
    """A stored timestamp as a datetime."""
    # asyncpg returns datetimes; SQLite returns the ISO text we stored.
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)

"""Which stretch of time a digest covers: `24h`, `3d`, `7d`, or since the last digest."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

MAX_PERIOD = timedelta(days=7)
FIRST_PERIOD = timedelta(hours=24)  # a first digest, with no earlier one to start from
_PERIOD = re.compile(r"^\s*(\d{1,3})\s*([hd])\s*$", re.IGNORECASE)


def parse_period(value: str) -> timedelta | None:
    """`24h` or `3d` as a timedelta of at most a week; None when it is neither."""
    match = _PERIOD.match(value)
    if match is None:
        return None
    amount, unit = int(match.group(1)), match.group(2).lower()
    period = timedelta(hours=amount) if unit == "h" else timedelta(days=amount)
    return period if timedelta(0) < period <= MAX_PERIOD else None


def digest_start(period: timedelta | None, last_digest: datetime | None, now: datetime) -> datetime:
    """Where a digest starts: the period asked for, else the last digest (a week back at most),
    else a day back."""
    if period is not None:
        return now - period
    if last_digest is not None:
        return max(last_digest, now - MAX_PERIOD)
    return now - FIRST_PERIOD

"""Digest schedules: reading the command's words, and when they fire across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.core.digest.schedule import Schedule, parse_schedule
from bot.core.errors import BadTimeError, ScheduleError, UnknownZoneError


def test_daily_and_weekly_are_read() -> None:
    daily = parse_schedule(["daily", "09:00", "Europe/Berlin"])
    weekly = parse_schedule(["Weekly", "Monday", "18:30", "UTC"])

    assert daily == Schedule(time(9, 0), "Europe/Berlin")
    assert daily.spec == "daily 09:00 Europe/Berlin"
    assert weekly == Schedule(time(18, 30), "UTC", weekday=0)
    assert weekly.spec == "weekly mon 18:30 UTC"


@pytest.mark.parametrize(
    ("words", "error", "details"),
    [
        (["daily", "09:00", "Mars/Olympus"], UnknownZoneError, {"zone": "Mars/Olympus"}),
        (["daily", "09:00", "../../etc/passwd"], UnknownZoneError, {"zone": "../../etc/passwd"}),
        (["daily", "25:00", "UTC"], BadTimeError, {"time": "25:00"}),
        (["daily", "9am", "UTC"], BadTimeError, {"time": "9am"}),
        (["weekly", "someday", "09:00", "UTC"], ScheduleError, {}),
        (["hourly", "09:00", "UTC"], ScheduleError, {}),
        (["daily"], ScheduleError, {}),
    ],
)
def test_bad_input_says_what_is_wrong(
    words: list[str], error: type[ScheduleError], details: dict[str, str]
) -> None:
    with pytest.raises(error) as raised:
        parse_schedule(words)
    assert type(raised.value) is error
    assert raised.value.details == details


def test_daily_fires_at_local_time_across_both_dst_changes() -> None:
    berlin = Schedule(time(9, 0), "Europe/Berlin")
    # Berlin moves to summer time on 2026-03-29 and back on 2026-10-25.
    before = berlin.next_after(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    after = berlin.next_after(before)
    autumn = berlin.next_after(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))

    assert before == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert after == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert berlin.next_after(datetime(2026, 3, 27, 12, 0, tzinfo=UTC)) == datetime(
        2026, 3, 28, 8, 0, tzinfo=UTC
    )  # 09:00 CET
    assert autumn == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # back to CET


def test_a_skipped_local_time_still_fires_that_day() -> None:
    night = Schedule(time(2, 30), "Europe/Berlin")

    fired = night.next_after(datetime(2026, 3, 28, 23, 0, tzinfo=UTC))

    assert fired == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_weekly_latest_and_next() -> None:
    monday = Schedule(time(18, 30), "UTC", weekday=0)
    thursday = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)

    assert monday.latest_at_or_before(thursday) == datetime(2026, 11, 30, 18, 30, tzinfo=UTC)
    assert monday.next_after(thursday) == datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
    exactly = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
    assert monday.latest_at_or_before(exactly) == exactly
    assert monday.next_after(exactly) == datetime(2026, 12, 14, 18, 30, tzinfo=UTC)

"""A digest schedule in words: for /digest_schedule and for /settings (private and group)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.digest.chats import ChatDigests
from bot.core.digest.schedule import Schedule
from bot.texts import text


def describe(schedule: Schedule, ui: str) -> str:
    """`every day at 09:00 (Europe/Berlin)`, in the chat's language."""
    at = f"{schedule.at:%H:%M}"
    if schedule.weekday is None:
        return text("schedule.daily", ui, time=at, zone=schedule.zone)
    day = text("schedule.days", ui).split(",")[schedule.weekday]
    return text("schedule.weekly", ui, day=day, time=at, zone=schedule.zone)


def local_time(moment: datetime, zone: str) -> str:
    """A moment as the schedule's zone reads it."""
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def next_run(schedule: Schedule, now: datetime) -> str:
    """When it fires next, in its own zone."""
    return local_time(schedule.next_after(now), schedule.zone)


async def settings_line(digests: ChatDigests, chat_id: int, topic: int, ui: str) -> str:
    """The schedule as /settings shows it (after a blank line); empty without one."""
    schedule = await digests.schedule(chat_id, topic)
    if schedule is None:
        return ""
    return "\n\n" + text("schedule.in_settings", ui, schedule=describe(schedule, ui))

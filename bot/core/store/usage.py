"""The usage SQL (`bot.core.usage` drives it): LLM calls, limits, usernames, access notices.

Times come from the caller (the usage layer's clock), so that budgets and their periods follow
one clock, the tests' included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.store.clock import as_utc, day_start, month_start, now
from bot.core.store.statements import Statements
from bot.core.store.usage_types import LimitKey, Period, Scope, Spent, Unit, UsageEvent, UsageStats


class UsageQueries(Statements):
    """The Store's usage methods; `SQLStore` supplies the statements."""

    async def record_usage(self, event: UsageEvent) -> None:
        """Keep one event; a call's cost also adds to its user's, chat's and the bot's sums of
        the day and the month, in the same transaction."""
        at = as_utc(event.at)
        async with self._session() as db:
            await db.execute(
                "INSERT INTO usage_events (at, user_id, chat_id, kind, model, prompt_tokens,"
                " completion_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                at,
                event.user_id,
                event.chat_id,
                event.kind,
                event.model,
                event.prompt_tokens,
                event.completion_tokens,
                event.cost_usd,
            )
            if event.kind == "llm":
                await db.execute(*_add_to_totals(event, at))

    async def spent(self, scope: Scope, subject: int, moment: datetime) -> Spent:
        """What `subject` of `scope` spent in the UTC day and month of `moment`."""
        rows = await self._query(
            "SELECT period, tokens, cost_usd FROM usage_totals WHERE scope = ? AND subject = ?"
            " AND ((period = 'daily' AND starts_at = ?) OR (period = 'monthly' AND starts_at = ?))",
            scope.value,
            subject,
            day_start(moment),
            month_start(moment),
        )
        sums = {Period(period): (int(tokens), float(usd)) for period, tokens, usd in rows}
        day, month = sums.get(Period.DAILY, (0, 0.0)), sums.get(Period.MONTHLY, (0, 0.0))
        return Spent(day[0], day[1], month[0], month[1])

    async def limits_for(
        self, subjects: Sequence[tuple[Scope, int]]
    ) -> dict[LimitKey, float | None]:
        """The limits admins set for these subjects (None: no limit), by budget."""
        if not subjects:
            return {}
        condition = " OR ".join(["(scope = ? AND subject = ?)"] * len(subjects))
        args = [value for scope, subject in subjects for value in (scope.value, subject)]
        rows = await self._query(
            f"SELECT scope, subject, period, unit, value FROM usage_limits WHERE {condition}",
            *args,
        )
        return {
            (Scope(scope), subject, Period(period), Unit(unit)): value
            for scope, subject, period, unit, value in rows
        }

    async def set_limit(self, key: LimitKey, value: float | None) -> None:
        """Give one subject its own limit (None: no limit), replacing the default."""
        scope, subject, period, unit = key
        await self._statement(
            "INSERT INTO usage_limits (scope, subject, period, unit, value, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, subject, period, unit)"
            " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            scope.value,
            subject,
            period.value,
            unit.value,
            value,
            now(),
        )

    async def clear_limit(self, key: LimitKey) -> None:
        """Let the default limit apply to the subject again."""
        scope, subject, period, unit = key
        await self._statement(
            "DELETE FROM usage_limits WHERE scope = ? AND subject = ? AND period = ? AND unit = ?",
            scope.value,
            subject,
            period.value,
            unit.value,
        )

    async def remember_username(self, username: str, user_id: int) -> None:
        """Note whose @username this is (admins name users by it)."""
        await self._statement(
            "INSERT INTO usernames (username, user_id, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (username) DO UPDATE SET user_id = excluded.user_id,"
            " seen_at = excluded.seen_at WHERE usernames.user_id <> excluded.user_id",
            username.lower(),
            user_id,
            now(),
        )

    async def user_for_username(self, username: str) -> int | None:
        """The id of the user last seen with this @username, if any."""
        rows = await self._query(
            "SELECT user_id FROM usernames WHERE username = ?", username.lower()
        )
        return int(rows[0][0]) if rows else None

    async def first_notice_since(self, user_id: int, at: datetime, since: datetime) -> bool:
        """Record a notice to the user at `at`; True unless one was recorded after `since`."""
        # One statement decides, so two processes never both tell the same user.
        rows = await self._statement(
            "INSERT INTO access_notices (user_id, noticed_at) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET noticed_at = excluded.noticed_at"
            " WHERE access_notices.noticed_at <= ? RETURNING user_id",
            user_id,
            as_utc(at),
            as_utc(since),
        )
        return bool(rows)

    async def usage_stats(self, since: datetime) -> UsageStats:
        """Users, chats, requests, calls, tokens, cost, refusals, errors, cache hits since `since`."""
        counts = ", ".join(
            f"COALESCE(SUM(CASE WHEN kind IN ({kinds}) THEN 1 ELSE 0 END), 0)"
            for kinds in ("'request', 'error'", "'llm'", "'refused'", "'error'", "'cache_hit'")
        )
        rows = await self._query(
            "SELECT COUNT(DISTINCT user_id), COUNT(DISTINCT chat_id),"
            " COALESCE(SUM(prompt_tokens + completion_tokens), 0), COALESCE(SUM(cost_usd), 0),"
            f" {counts} FROM usage_events WHERE at >= ?",
            as_utc(since),
        )
        users, chats, tokens, cost, requests, calls, refused, errors, hits = rows[0]
        return UsageStats(
            users=int(users),
            chats=int(chats),
            requests=int(requests),
            llm_calls=int(calls),
            tokens=int(tokens),
            cost_usd=float(cost),
            refused=int(refused),
            errors=int(errors),
            cache_hits=int(hits),
        )


def period_starts(at: datetime) -> tuple[tuple[Period, datetime], ...]:
    """The budget periods holding `at`, each with when it began: the sums' row keys."""
    return (Period.DAILY, day_start(at)), (Period.MONTHLY, month_start(at))


def _add_to_totals(event: UsageEvent, at: datetime) -> tuple[Any, ...]:
    """The upsert adding a call to the day's and month's sums of its user, chat and the bot."""
    subjects = [(Scope.BOT, 0), (Scope.USER, event.user_id), (Scope.CHAT, event.chat_id)]
    tokens = event.prompt_tokens + event.completion_tokens
    rows = [
        (scope.value, subject, period.value, start, tokens, event.cost_usd)
        for scope, subject in subjects
        if subject is not None
        for period, start in period_starts(at)
    ]
    sql = (
        "INSERT INTO usage_totals (scope, subject, period, starts_at, tokens, cost_usd) VALUES "
        + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(rows))
        + " ON CONFLICT (scope, subject, period, starts_at) DO UPDATE SET"
        " tokens = usage_totals.tokens + excluded.tokens,"
        " cost_usd = usage_totals.cost_usd + excluded.cost_usd"
    )
    return (sql, *(value for row in rows for value in row))

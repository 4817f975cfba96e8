"""The SQL of budget holds: running requests' estimates, kept in the usage totals' rows."""

from __future__ import annotations

from typing import Any

from bot.core.store.clock import as_utc, day_start, month_start
from bot.core.store.statements import Statements
from bot.core.store.types import Hold, HoldCheck, Period, Scope, Spent


class _Refused(Exception):
    """The hold does not fit: its transaction is rolled back."""


class HoldQueries(Statements):
    """The Store's hold methods; `SQLStore` supplies the statements."""

    async def hold(self, hold: Hold, fits: HoldCheck) -> bool:
        """Add the hold to its subjects' rows, read them back and keep it only if it fits.

        The upsert locks the rows (SQLite: the whole database) until the transaction ends, so
        a hold made at the same time waits and then reads this one's amounts.
        """
        rows = _rows(hold)
        sql = (
            "INSERT INTO usage_totals (scope, subject, period, starts_at, tokens, cost_usd,"
            " held_tokens, held_usd) VALUES "
            + ", ".join(["(?, ?, ?, ?, 0, 0, ?, ?)"] * len(rows))
            + " ON CONFLICT (scope, subject, period, starts_at) DO UPDATE SET"
            " held_tokens = usage_totals.held_tokens + excluded.held_tokens,"
            " held_usd = usage_totals.held_usd + excluded.held_usd"
            " RETURNING scope, subject, period, tokens + held_tokens, cost_usd + held_usd"
        )
        args = [value for row in rows for value in (*row, hold.tokens, hold.usd)]
        try:
            async with self._session() as db:
                totals = await db.fetch(sql, *args)
                if not fits(_spent(totals, hold)):
                    raise _Refused
        except _Refused:
            return False
        return True

    async def release(self, hold: Hold) -> None:
        """Take the hold's amounts back out of the rows it was added to."""
        rows = _rows(hold)
        condition = " OR ".join(
            ["(scope = ? AND subject = ? AND period = ? AND starts_at = ?)"] * len(rows)
        )
        await self._statement(
            "UPDATE usage_totals SET held_tokens = held_tokens - ?, held_usd = held_usd - ?"
            f" WHERE {condition}",
            hold.tokens,
            hold.usd,
            *(value for row in rows for value in row),
        )


def _rows(hold: Hold) -> list[tuple[Any, ...]]:
    """The keys of the rows a hold counts in, in one order for all (no two holds deadlock)."""
    at = as_utc(hold.at)
    starts = ((Period.DAILY, day_start(at)), (Period.MONTHLY, month_start(at)))
    return sorted(
        (scope.value, subject, period.value, start)
        for scope, subject in hold.subjects
        for period, start in starts
    )


def _spent(totals: list[Any], hold: Hold) -> dict[tuple[Scope, int], Spent]:
    """What each subject spent and holds, this hold left out."""
    sums: dict[tuple[Scope, int], dict[Period, tuple[int, float]]] = {}
    for scope, subject, period, tokens, usd in totals:
        amounts = (int(tokens) - hold.tokens, float(usd) - hold.usd)
        sums.setdefault((Scope(scope), int(subject)), {})[Period(period)] = amounts
    return {
        key: Spent(*by.get(Period.DAILY, (0, 0.0)), *by.get(Period.MONTHLY, (0, 0.0)))
        for key, by in sums.items()
    }

"""The SQL of budget holds: running requests' estimates, counted with what was spent."""

from __future__ import annotations

from typing import Any

from bot.core.store.clock import as_utc
from bot.core.store.statements import Statements
from bot.core.store.usage import period_starts
from bot.core.store.usage_types import Hold, HoldCheck, Period, Scope, Spent


class _Refused(Exception):
    """The hold does not fit: its transaction is rolled back."""


class HoldQueries(Statements):
    """The Store's hold methods; `SQLStore` supplies the statements."""

    async def hold(self, hold: Hold, fits: HoldCheck) -> bool:
        """Read the budgets' totals and live holds, and add this hold only if it fits.

        The first statement locks the totals' rows (SQLite: the whole database) until the
        transaction ends, so a hold of the same budgets made at once waits, then reads this one.
        """
        rows = _rows(hold)
        keys = " OR ".join(
            ["(scope = ? AND subject = ? AND period = ? AND starts_at = ?)"] * len(rows)
        )
        key_args = [value for row in rows for value in row]
        try:
            async with self._session() as db:
                spent = await db.fetch(
                    "INSERT INTO usage_totals (scope, subject, period, starts_at, tokens, cost_usd)"
                    " VALUES " + ", ".join(["(?, ?, ?, ?, 0, 0)"] * len(rows)) + " ON CONFLICT"
                    " (scope, subject, period, starts_at) DO UPDATE SET tokens = usage_totals.tokens"
                    " RETURNING scope, subject, period, tokens, cost_usd",
                    *key_args,
                )
                await db.execute("DELETE FROM budget_holds WHERE expires_at <= ?", as_utc(hold.at))
                held = await db.fetch(
                    "SELECT scope, subject, period, SUM(tokens), SUM(cost_usd) FROM budget_holds"
                    f" WHERE {keys} GROUP BY scope, subject, period",
                    *key_args,
                )
                if not fits(_spent([*spent, *held])):
                    raise _Refused
                await db.execute(
                    "INSERT INTO budget_holds (hold, scope, subject, period, starts_at, tokens,"
                    " cost_usd, expires_at) VALUES "
                    + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows)),
                    *(
                        value
                        for row in rows
                        for value in (
                            hold.key,
                            *row,
                            hold.tokens,
                            hold.usd,
                            as_utc(hold.expires_at),
                        )
                    ),
                )
        except _Refused:
            return False
        return True

    async def release(self, hold: Hold) -> None:
        """Stop counting the hold (its request ended)."""
        await self._statement("DELETE FROM budget_holds WHERE hold = ?", hold.key)


def _rows(hold: Hold) -> list[tuple[Any, ...]]:
    """The budget rows a hold counts in, in one order for all (no two holds deadlock)."""
    starts = period_starts(as_utc(hold.at))
    return sorted(
        (scope.value, subject, period.value, start)
        for scope, subject in hold.subjects
        for period, start in starts
    )


def _spent(sums: list[Any]) -> dict[tuple[Scope, int], Spent]:
    """Each subject's day and month amounts, added up over the rows."""
    amounts: dict[tuple[Scope, int], dict[Period, tuple[int, float]]] = {}
    for scope, subject, period, tokens, usd in sums:
        by = amounts.setdefault((Scope(scope), int(subject)), {})
        before = by.get(Period(period), (0, 0.0))
        by[Period(period)] = (before[0] + int(tokens), before[1] + float(usd))
    return {
        key: Spent(*by.get(Period.DAILY, (0, 0.0)), *by.get(Period.MONTHLY, (0, 0.0)))
        for key, by in amounts.items()
    }

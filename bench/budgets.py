"""What a budget check costs a request as the month's usage grows.

Usage: .venv/bin/python bench/budgets.py [--events 1000,10000,100000] [--checks 200]
       [--postgres postgresql://postgres@127.0.0.1:5432/test]

Fills a fresh store with a month of recorded LLM calls (spread over 500 users and 50 groups),
then times `Budgets.refusal` for one group member with user, chat and bot limits set (daily and
monthly, tokens and USD: one limits query and three sums). Prints the median and p95 per check,
on SQLite, and on PostgreSQL when one answers at the given URL (a schema of its own, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.core.errors import StoreError  # noqa: E402
from bot.core.store.open import open_store  # noqa: E402
from bot.core.store.types import Store  # noqa: E402
from bot.core.store.usage_types import Period, Scope, Unit, UsageEvent  # noqa: E402
from bot.core.usage.budgets import BudgetConfig, Budgets, Estimate, Requester  # noqa: E402
from bot.core.usage.prices import known_price  # noqa: E402

NOW = datetime(2026, 5, 28, 15, tzinfo=UTC)
LIMITS = {(scope, period, unit): 10.0**12 for scope in Scope for period in Period for unit in Unit}


async def fill(store: Store, events: int) -> None:
    """`events` calls over the month so far, in batches of concurrent inserts."""
    span = (NOW - NOW.replace(day=1, hour=0)).total_seconds()
    for start in range(0, events, 500):
        await asyncio.gather(
            *(
                store.record_usage(
                    UsageEvent(
                        NOW - timedelta(seconds=span * n / events),
                        user_id=n % 500,
                        chat_id=-(n % 50) - 1,
                        kind="llm",
                        model="gpt-4o-mini",
                        prompt_tokens=1500,
                        completion_tokens=300,
                        cost_usd=0.0004,
                    )
                )
                for n in range(start, min(start + 500, events))
            )
        )


async def time_checks(store: Store, checks: int) -> list[float]:
    """Milliseconds of each budget check of one group member: the hold, then its release."""
    budgets = Budgets(store, BudgetConfig(LIMITS, known_price("gpt-4o-mini")), lambda: NOW)
    who = Requester(7, -8, group=True)

    async def estimate() -> Estimate:
        return Estimate(2000, 0.0005)

    times = []
    for _ in range(checks):
        started = time.perf_counter()
        refusal, held = await budgets.hold(who, estimate)
        assert refusal is None
        assert held is not None
        await store.release(held)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def run(url: str, label: str, events: int, checks: int) -> None:
    """One backend at one size: fill, then time the checks."""
    store = await open_store(url)
    try:
        await fill(store, events)
        times = sorted(await time_checks(store, checks))
    finally:
        await store.close()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{label:10} {events:>8} events: median {statistics.median(times):6.2f} ms, p95 {p95:6.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="1000,10000,100000")
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    sizes = [int(size) for size in args.events.split(",")]
    print(
        f"budget check and hold, then release, of a group member (user, chat and bot limits), {args.checks} checks each"
    )
    with tempfile.TemporaryDirectory() as folder:
        for events in sizes:
            await run(f"sqlite:///{Path(folder) / f'{events}.db'}", "SQLite", events, args.checks)
    for events in sizes:
        await postgres(args.postgres, events, args.checks)


async def postgres(url: str, events: int, checks: int) -> None:
    """The same on PostgreSQL, in a schema of its own; skipped when no server answers."""
    import asyncpg

    schema = f"bench_budgets_{uuid.uuid4().hex}"
    try:
        admin = await asyncpg.connect(url, timeout=5)
    except (OSError, TimeoutError) as exc:
        print(f"PostgreSQL skipped: {exc}")
        return
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        separator = "&" if "?" in url else "?"
        await run(f"{url}{separator}search_path={schema}", "PostgreSQL", events, checks)
    except StoreError as exc:
        print(f"PostgreSQL failed: {exc}")
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())

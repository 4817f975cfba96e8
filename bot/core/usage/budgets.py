"""Budgets: daily and monthly limits in tokens or USD, per user, per group and for the whole bot.

Every LLM call is recorded with what it cost; a request is refused before any call once a
limit is reached, or when its estimated cost is more than what remains. Days end at UTC
midnight, months on the first of the next month. A limit an admin gave one user or chat
replaces the default for it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from bot.core.llm.client import LLM, ChatMessage, Completion, DeltaCallback
from bot.core.store.clock import day_start, month_start
from bot.core.store.types import Store
from bot.core.store.usage_types import Hold, LimitKey, Period, Scope, Spent, Unit, UsageEvent
from bot.core.usage.prices import Price

Clock = Callable[[], datetime]
# Default limits by scope, period and unit; an absent one means no limit.
Defaults = Mapping[tuple[Scope, Period, Unit], float]
BOT_SUBJECT = 0
# How long a request's estimate counts at most: a process that died never releases it.
HOLD_TTL = timedelta(hours=1)
# The limits of each subject that has some, by period and unit.
SubjectLimits = dict[tuple[Scope, int], dict[tuple[Period, Unit], float]]


@dataclass(frozen=True)
class Requester:
    """Who asks: the user, and the chat when it is a group (whose members share its budget);
    no user for what a group asked by itself (its scheduled digest)."""

    user_id: int | None
    chat_id: int
    group: bool = False

    def subjects(self) -> list[tuple[Scope, int]]:
        """Every budget the request counts against."""
        subjects = [] if self.user_id is None else [(Scope.USER, self.user_id)]
        if self.group:
            subjects.append((Scope.CHAT, self.chat_id))
        return [*subjects, (Scope.BOT, BOT_SUBJECT)]


@dataclass(frozen=True)
class Estimate:
    """What a request will probably cost before it runs."""

    tokens: int
    usd: float

    def amount(self, unit: Unit) -> float:
        """The estimate in this unit."""
        return self.tokens if unit is Unit.TOKENS else self.usd


@dataclass(frozen=True)
class BudgetLine:
    """One limit of one subject: what was spent, the limit and when it resets."""

    scope: Scope
    period: Period
    unit: Unit
    used: float
    limit: float
    resets_at: datetime


@dataclass(frozen=True)
class Refusal:
    """Why a request may not use the model: the budget that is used up and the estimate."""

    line: BudgetLine
    estimate: Estimate


def period_start(moment: datetime, period: Period) -> datetime:
    """When the day or month holding `moment` began (UTC)."""
    return day_start(moment) if period is Period.DAILY else month_start(moment)


def period_end(moment: datetime, period: Period) -> datetime:
    """When the day or month holding `moment` ends: the next UTC midnight or first of month."""
    start = period_start(moment, period)
    if period is Period.DAILY:
        return start + timedelta(days=1)
    return (start + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class BudgetConfig:
    """The default limits and the model's price (None: unknown, so costs count as zero)."""

    defaults: Defaults = field(default_factory=dict)
    price: Price | None = None


class Budgets:
    """Records the cost of every call and says when a request must go without the model."""

    def __init__(self, store: Store, config: BudgetConfig, clock: Clock) -> None:
        self.store = store
        self.defaults = dict(config.defaults)
        self.price = config.price or Price(0.0, 0.0)
        self.clock = clock

    def estimate(self, prompt_tokens: int, completion_tokens: int) -> Estimate:
        """The estimate of a request that sends and receives about so many tokens."""
        usd = self.price.usd(prompt_tokens, completion_tokens)
        return Estimate(prompt_tokens + completion_tokens, usd)

    async def hold(
        self, who: Requester, estimate: Callable[[], Awaitable[Estimate]]
    ) -> tuple[Refusal | None, Hold | None]:
        """Hold the request's estimate against its budgets until it ends; else the first budget
        it would exceed (recorded as a refusal). Neither when no limit applies.

        `estimate` runs only when some limit applies: counting a long article's tokens costs.
        The check and the hold are one transaction, so requests at once (any replica) see each
        other's estimates as spent.
        """
        moment = self.clock()
        limits = await self._limits(who.subjects())
        if not limits:
            return None, None
        expected = await estimate()
        expires_at = moment + HOLD_TTL
        held = Hold(uuid4().hex, moment, expires_at, tuple(limits), expected.tokens, expected.usd)
        refused: list[Refusal] = []

        def fits(spent: dict[tuple[Scope, int], Spent]) -> bool:
            for line in self._lines(limits, spent, moment):
                if line.used + expected.amount(line.unit) > line.limit:
                    refused.append(Refusal(line, expected))
                    return False
            return True

        if await self.store.hold(held, fits):
            return None, held
        await self.store.record_usage(UsageEvent(moment, who.user_id, who.chat_id, "refused"))
        return refused[0], None

    @asynccontextmanager
    async def within(
        self, llm: LLM, who: Requester, estimate: Callable[[], Awaitable[Estimate]]
    ) -> AsyncIterator[tuple[LLM | None, Refusal | None]]:
        """`llm` metered for `who` while the request's estimate is held, released as it ends
        (failed or cancelled too); no model (extractive) and the refusal when a budget says no."""
        refusal, held = await self.hold(who, estimate)
        if refusal is not None:
            yield None, refusal
            return
        try:
            yield self.metered(llm, who), None
        finally:
            if held is not None:
                await asyncio.shield(self.store.release(held))

    async def note(self, who: Requester, kind: str) -> None:
        """Count a summary or answer done ("request") or failed ("error"), or a summary the
        cache gave ("cache_hit"), for /stats."""
        await self.store.record_usage(UsageEvent(self.clock(), who.user_id, who.chat_id, kind))

    async def _limits(self, subjects: Sequence[tuple[Scope, int]]) -> SubjectLimits:
        """The limits of each subject that has some, in the order of `subjects`."""
        overrides = await self.store.limits_for(subjects)
        found: SubjectLimits = {}
        for scope, subject in subjects:
            limits = {
                (period, unit): _limit(overrides, self.defaults, (scope, subject, period, unit))
                for period, unit in itertools.product(Period, Unit)
            }
            applying = {key: limit for key, limit in limits.items() if limit is not None}
            if applying:
                found[(scope, subject)] = applying
        return found

    def _lines(
        self,
        limits: SubjectLimits,
        spent: Mapping[tuple[Scope, int], Spent],
        moment: datetime,
    ) -> list[BudgetLine]:
        return [
            BudgetLine(
                scope,
                period,
                unit,
                spent.get((scope, subject), Spent()).amount(period, unit),
                limit,
                period_end(moment, period),
            )
            for (scope, subject), by in limits.items()
            for (period, unit), limit in by.items()
        ]

    async def report(self, scope: Scope, subject: int) -> tuple[Spent, list[BudgetLine]]:
        """What one subject spent today and this month, and the limits that apply to it."""
        moment = self.clock()
        spent = await self._spent(scope, subject, moment)
        limits = await self._limits([(scope, subject)])
        return spent, self._lines(limits, {(scope, subject): spent}, moment)

    def metered(self, llm: LLM, who: Requester) -> LLM:
        """`llm`, recording the cost of each of its calls against `who`."""

        async def record(completion: Completion) -> None:
            usage = completion.usage
            await self.store.record_usage(
                UsageEvent(
                    self.clock(),
                    who.user_id,
                    who.chat_id,
                    "llm",
                    completion.model,
                    usage.prompt_tokens,
                    usage.completion_tokens,
                    self.price.cost(usage),
                )
            )

        return MeteredLLM(llm, record)

    async def _spent(self, scope: Scope, subject: int, moment: datetime) -> Spent:
        return await self.store.spent(scope, subject, moment)


def within_budget(
    budgets: Budgets | None,
    llm: LLM | None,
    who: Requester | None,
    estimate: Callable[[], Awaitable[Estimate]],
) -> AbstractAsyncContextManager[tuple[LLM | None, Refusal | None]]:
    """`budgets.within`: the model metered for `who` while the estimate is held, or none and
    the refusal; the model as it is without a model, a requester or budgets to count against."""
    if llm is None or who is None or budgets is None:
        return nullcontext((llm, None))
    return budgets.within(llm, who, estimate)


async def note_cache_hit(budgets: Budgets | None, who: Requester | None) -> None:
    """Count a summary (or recap) the shared cache gave `who`, for /stats; nothing to count
    without a requester or budgets."""
    if who is not None and budgets is not None:
        await budgets.note(who, "cache_hit")


def _limit(
    overrides: Mapping[LimitKey, float | None], defaults: Defaults, key: LimitKey
) -> float | None:
    """An admin's limit for the subject when set (None: none), else the default for its scope."""
    if key in overrides:
        return overrides[key]
    scope, _, period, unit = key
    return defaults.get((scope, period, unit))


class MeteredLLM:
    """An LLM that reports each completion's cost; the client it wraps stays the service's."""

    def __init__(self, llm: LLM, on_completion: Callable[[Completion], Awaitable[None]]) -> None:
        self._llm = llm
        self._on_completion = on_completion

    @property
    def model(self) -> str:
        """The wrapped client's model."""
        return self._llm.model

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        on_delta: DeltaCallback | None = None,
    ) -> Completion:
        """One completion, recorded once it is done."""
        completion = await self._llm.complete(messages, max_tokens=max_tokens, on_delta=on_delta)
        await self._on_completion(completion)
        return completion

    async def aclose(self) -> None:
        """Nothing: the service closes the client it wraps."""

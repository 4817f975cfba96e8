"""The Store's usage: events, budgets' sums, limits and holds, and who was told what when."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Scope(StrEnum):
    """Whose usage a budget limits."""

    USER = "user"
    CHAT = "chat"  # a group: its members share it
    BOT = "bot"  # everyone together (subject 0)


class Period(StrEnum):
    """How long a budget lasts: until the next UTC midnight, or the first of the next month."""

    DAILY = "daily"
    MONTHLY = "monthly"


class Unit(StrEnum):
    """What a budget counts."""

    TOKENS = "tokens"
    USD = "usd"


# One budget: whose (scope and subject), over which period, in which unit.
LimitKey = tuple[Scope, int, Period, Unit]


@dataclass(frozen=True)
class UsageEvent:
    """One LLM call's cost; or a request refused for its budget, done, failed or answered from
    the summary cache (no tokens)."""

    at: datetime
    user_id: int | None
    chat_id: int | None
    # "llm" (a call), "refused" (a budget said no), "request" (done), "error", "cache_hit"
    kind: str
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class Spent:
    """Tokens and money spent since a day's and a month's start."""

    day_tokens: int = 0
    day_usd: float = 0.0
    month_tokens: int = 0
    month_usd: float = 0.0

    def amount(self, period: Period, unit: Unit) -> float:
        """What was spent in this period, in this unit."""
        if period is Period.DAILY:
            return self.day_tokens if unit is Unit.TOKENS else self.day_usd
        return self.month_tokens if unit is Unit.TOKENS else self.month_usd


@dataclass(frozen=True)
class Hold:
    """A running request's estimate, counted against its budgets' day and month until it ends."""

    key: str  # unique: the request's own
    at: datetime
    expires_at: datetime  # counted no longer, in case its process died before releasing it
    subjects: tuple[tuple[Scope, int], ...]
    tokens: int
    usd: float


# Whether a hold may be kept, given what each subject spent and holds (this hold left out).
HoldCheck = Callable[[dict[tuple[Scope, int], Spent]], bool]


@dataclass(frozen=True)
class UsageStats:
    """The bot's activity since some moment, for its admins."""

    users: int
    chats: int
    requests: int
    llm_calls: int
    tokens: int
    cost_usd: float
    refused: int
    errors: int
    cache_hits: int = 0  # summaries and digest lines the shared cache gave


class UsageStore(Protocol):
    """The Store's usage, budget and access methods."""

    async def record_usage(self, event: UsageEvent) -> None:
        """Keep one event; a call's cost also adds to its user's, chat's and the bot's sums of
        the day and the month."""
        ...

    async def spent(self, scope: Scope, subject: int, moment: datetime) -> Spent:
        """What `subject` of `scope` spent in the UTC day and month of `moment`."""
        ...

    async def limits_for(
        self, subjects: Sequence[tuple[Scope, int]]
    ) -> dict[LimitKey, float | None]:
        """The limits admins set for these subjects (None: no limit), by budget."""
        ...

    async def hold(self, hold: Hold, fits: HoldCheck) -> bool:
        """Count the hold against its subjects if `fits` says it fits; in one transaction, so
        holds made at once see each other. True when kept."""
        ...

    async def release(self, hold: Hold) -> None:
        """Stop counting a hold (its request ended; its calls recorded their own usage)."""
        ...

    async def set_limit(self, key: LimitKey, value: float | None) -> None:
        """Give one subject its own limit (None: no limit), replacing the default."""
        ...

    async def clear_limit(self, key: LimitKey) -> None:
        """Let the default limit apply to the subject again."""
        ...

    async def remember_username(self, username: str, user_id: int) -> None:
        """Note whose @username this is (admins name users by it)."""
        ...

    async def user_for_username(self, username: str) -> int | None:
        """The id of the user last seen with this @username, if any."""
        ...

    async def first_notice_since(self, user_id: int, at: datetime, since: datetime) -> bool:
        """Record a notice to the user at `at`; True unless one was recorded after `since`."""
        ...

    async def usage_stats(self, since: datetime) -> UsageStats:
        """Users, chats, requests, calls, tokens, cost, refusals and errors since `since`."""
        ...

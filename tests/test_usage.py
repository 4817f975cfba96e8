"""The usage core on its own: prices, periods, allow-lists, the rate limiter, estimates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.llm.tokens import TokenCounter
from bot.core.models import Article, SummaryLength, Usage
from bot.core.reading.estimate import answer_tokens, summary_tokens
from bot.core.store.usage_types import Period
from bot.core.usage.access import AccessPolicy, Party, parse_parties
from bot.core.usage.budgets import period_end, period_start
from bot.core.usage.prices import Price, known_price
from bot.core.usage.rate import RateLimiter
from tests.servers.bot_runner import ManualClock


@pytest.mark.parametrize(
    ("model", "price"),
    [
        ("gpt-4o-mini", Price(0.15, 0.6)),
        ("gpt-4o-mini-2024-07-18", Price(0.15, 0.6)),
        ("openai/gpt-4o", Price(2.5, 10.0)),
        ("gpt-4.1-nano", Price(0.1, 0.4)),
        ("GPT-5-mini", Price(0.25, 2.0)),
        ("llama3.1:8b", None),
    ],
)
def test_known_prices_match_the_longest_prefix(model: str, price: Price | None) -> None:
    assert known_price(model) == price


def test_a_call_costs_its_input_and_output_tokens() -> None:
    assert Price(2.5, 10.0).cost(Usage(1_000_000, 100_000)) == pytest.approx(3.5)


@pytest.mark.parametrize(
    ("moment", "period", "start", "end"),
    [
        ("2026-05-04T13:30", Period.DAILY, "2026-05-04T00:00", "2026-05-05T00:00"),
        ("2026-05-31T23:59", Period.DAILY, "2026-05-31T00:00", "2026-06-01T00:00"),
        ("2026-05-31T23:59", Period.MONTHLY, "2026-05-01T00:00", "2026-06-01T00:00"),
        ("2026-12-15T08:00", Period.MONTHLY, "2026-12-01T00:00", "2027-01-01T00:00"),
        ("2028-02-29T00:00", Period.MONTHLY, "2028-02-01T00:00", "2028-03-01T00:00"),
    ],
)
def test_periods_start_and_end_at_utc_midnight_and_the_first(
    moment: str, period: Period, start: str, end: str
) -> None:
    at = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    assert period_start(at, period) == datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert period_end(at, period) == datetime.fromisoformat(end).replace(tzinfo=UTC)


def test_allow_lists_take_ids_and_usernames_in_any_case() -> None:
    assert parse_parties(" 42, @Alice ,-100123;@bob_b,") == {42, "alice", -100123, "bob_b"}
    policy = AccessPolicy(users=parse_parties("@alice"), admins=parse_parties("7"))
    assert policy.allows_user(Party(1, "ALICE"))
    assert policy.allows_user(Party(7))  # an admin
    assert not policy.allows_user(Party(2, "bob"))
    assert not policy.allows_chat(Party(-100, None))
    assert AccessPolicy(admins=frozenset({7})).allows_user(Party(2))  # no list: everyone


def test_the_rate_limiter_counts_a_sliding_minute_per_user() -> None:
    clock = ManualClock(datetime(2026, 5, 4, tzinfo=UTC))
    limiter = RateLimiter(2, clock)
    assert limiter.acquire(1) is None
    clock.advance(seconds=20)
    assert limiter.acquire(1) is None
    assert limiter.acquire(1) == 40
    assert limiter.acquire(2) is None
    clock.advance(seconds=40)
    assert limiter.acquire(1) is None
    assert RateLimiter(0, clock).acquire(1) is None


def test_estimates_grow_with_the_article_and_count_map_calls(counter: TokenCounter) -> None:
    short = Article("Eels are back. " * 100)
    long = Article("Eels are back. " * 20_000)
    prompt, completion = summary_tokens(
        short, counter, SummaryLength.MEDIUM, max_article_tokens=300_000, call_tokens=60_000
    )
    assert prompt > counter.count(short.text)
    assert completion == 900
    long_prompt, long_completion = summary_tokens(
        long, counter, SummaryLength.MEDIUM, max_article_tokens=300_000, call_tokens=20_000
    )
    assert long_prompt > counter.count(long.text)
    assert long_completion > completion  # the notes on each part
    assert answer_tokens(long, counter, 8_192)[0] <= 8_192

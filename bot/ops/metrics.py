"""The bot's Prometheus metrics (the only `prometheus_client` user), each named summarybot_*.

Every label value comes from a small closed set (request kinds, error codes, stage names), so
no user input, URL or secret can become a label, and the number of series stays bounded.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.core.llm.slots import FairSlots
from bot.core.trace import Trace
from bot.core.usage.prices import Price

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds: a Bot API call takes tens of milliseconds, a long summary minutes.
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300)
QUEUE_STATES = ("pending", "running")
# Requests not answered yet, by state; raises StoreError when the store does not answer.
QueueDepth = Callable[[], Awaitable[Mapping[str, int]]]


class Metrics:
    """The counters, histograms and gauges of one bot, in a registry of their own."""

    def __init__(self, price: Price | None = None) -> None:
        self.price = price  # the model's, for the cost of its tokens (unknown: not counted)
        self.registry = CollectorRegistry()
        counter = functools.partial(Counter, registry=self.registry)
        histogram = functools.partial(Histogram, buckets=BUCKETS, registry=self.registry)
        self.requests = counter(
            "summarybot_requests",
            "Requests served, by kind (summary, answer, command...) and outcome (ok or a code)",
            ["kind", "outcome"],
        )
        self.request_seconds = histogram(
            "summarybot_request_duration_seconds",
            "Time from taking a request to its last reply, by kind",
            ["kind"],
        )
        self.stage_seconds = histogram(
            "summarybot_stage_duration_seconds",
            "Time of each run of a stage: fetch, extract, llm (one call, retries included), send",
            ["stage"],
        )
        self.llm_tokens = counter(
            "summarybot_llm_tokens",
            "Tokens the LLM reported (or that were estimated), by type: prompt or completion",
            ["type"],
        )
        self.llm_cost = counter(
            "summarybot_llm_cost_usd",
            "What the LLM's tokens cost in USD at the model's price (0 when it is not known)",
        )
        self.cache_hits = counter(
            "summarybot_summary_cache_hits",
            "Summaries, digest lines and recaps the shared summary cache gave (no model call)",
        )
        self.cache_misses = counter(
            "summarybot_summary_cache_misses",
            "Summaries, digest lines and recaps the shared cache did not hold: the model made them",
        )
        self.llm_errors = counter(
            "summarybot_llm_errors",
            "Failed LLM attempts, retried ones included, by error code",
            ["kind"],
        )
        self.telegram_errors = counter(
            "summarybot_telegram_errors",
            "Failed Bot API calls, by kind (rate_limited, bad_request, server_error, network...)",
            ["kind"],
        )
        self.queue = Gauge(
            "summarybot_queue_requests",
            "Requests kept in the store and not answered yet: pending (waiting) or running",
            ["state"],
            registry=self.registry,
        )

        gauge = functools.partial(Gauge, registry=self.registry)
        self.slots_limit = gauge(
            "summarybot_llm_slots_limit",
            "LLM calls allowed at once now: halved on 429s and low rate-limit headers, "
            "creeping back up to LLM_MAX_CONCURRENCY while calls succeed",
        )
        self.slots_in_use = gauge("summarybot_llm_slots_in_use", "LLM calls being made now")
        self.slots_waiting = gauge(
            "summarybot_llm_slots_waiting", "LLM calls waiting for a slot (every chat's together)"
        )

    def watch_slots(self, slots: FairSlots) -> None:
        """Report the LLM's call slots as they stand at each scrape."""
        self.slots_limit.set_function(lambda: slots.limit)
        self.slots_in_use.set_function(lambda: slots.in_use)
        self.slots_waiting.set_function(lambda: slots.waiting)

    def record(self, trace: Trace) -> None:
        """Count a finished request: its outcome, its duration, each stage run, its tokens."""
        self.requests.labels(trace.kind, trace.outcome).inc()
        self.request_seconds.labels(trace.kind).observe(trace.elapsed())
        for stage_name, seconds in trace.runs:
            self.stage_seconds.labels(stage_name).observe(seconds)
        self.llm_tokens.labels("prompt").inc(trace.prompt_tokens)
        self.llm_tokens.labels("completion").inc(trace.completion_tokens)
        if self.price is not None:
            self.llm_cost.inc(self.price.usd(trace.prompt_tokens, trace.completion_tokens))
        self.cache_hits.inc(trace.cache_hits)
        self.cache_misses.inc(trace.cache_misses)
        for code, count in trace.llm_errors.items():
            self.llm_errors.labels(code).inc(count)

    def telegram_error(self, kind: str) -> None:
        """Count one failed Bot API call."""
        self.telegram_errors.labels(kind).inc()

    def set_queue(self, depth: Mapping[str, int]) -> None:
        """The requests waiting and running now."""
        for state in QUEUE_STATES:
            self.queue.labels(state).set(depth.get(state, 0))

    def exposition(self) -> bytes:
        """Everything in Prometheus' text format."""
        return generate_latest(self.registry)

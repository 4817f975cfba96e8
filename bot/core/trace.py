"""What one request went through: its stages' times, its tokens and its LLM errors.

A front end opens a `Trace` for each request (`tracing`); the core's owner modules time their
stage (`stage("fetch")`, `"extract"`, `"llm"`, `"send"`) and report tokens and failures into
whichever trace is current, and do nothing outside one (the command line). The trace travels
in a context variable, so tasks a request starts (previews, typing) report into it too.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class StageTimes:
    """How often a stage ran in one request and how long it took in all."""

    calls: int = 0
    seconds: float = 0.0


@dataclass
class Trace:
    """One request's record; `kind` and `outcome` are set by the front end that serves it."""

    request_id: str
    chat_id: int | None = None
    kind: str = "other"
    outcome: str = "ok"
    started: float = field(default_factory=time.perf_counter)
    stages: dict[str, StageTimes] = field(default_factory=dict)
    # Every single stage run, in order: the histograms observe each, not the request's sums.
    runs: list[tuple[str, float]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_errors: Counter[str] = field(default_factory=Counter)
    cache_hits: int = 0  # summaries the shared cache gave
    cache_misses: int = 0  # summaries it did not hold, made by the model

    def add_run(self, stage_name: str, seconds: float) -> None:
        """Count one run of a stage."""
        times = self.stages.setdefault(stage_name, StageTimes())
        times.calls += 1
        times.seconds += seconds
        self.runs.append((stage_name, seconds))

    def elapsed(self) -> float:
        """Seconds since the request started."""
        return time.perf_counter() - self.started


_current: ContextVar[Trace | None] = ContextVar("trace", default=None)


def current_trace() -> Trace | None:
    """The trace of the request being served, if any."""
    return _current.get()


@contextlib.contextmanager
def tracing(trace: Trace) -> Iterator[Trace]:
    """Make `trace` current for the block (and for the tasks it starts)."""
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as one run of stage `name` (failed runs count too: they were waited on)."""
    trace = _current.get()
    if trace is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        trace.add_run(name, time.perf_counter() - started)


def set_kind(kind: str) -> None:
    """Name what the current request turned out to be ("summary", "answer"...)."""
    if (trace := _current.get()) is not None:
        trace.kind = kind


def set_outcome(outcome: str) -> None:
    """Record how the current request ended, when not "ok" (an error code, "cancelled")."""
    if (trace := _current.get()) is not None:
        trace.outcome = outcome


def add_tokens(prompt: int, completion: int) -> None:
    """Count an LLM call's tokens."""
    if (trace := _current.get()) is not None:
        trace.prompt_tokens += prompt
        trace.completion_tokens += completion


def cache_lookup(*, hit: bool) -> None:
    """Count one ask of the shared summary cache: a hit, or a miss the model then made."""
    if (trace := _current.get()) is not None:
        if hit:
            trace.cache_hits += 1
        else:
            trace.cache_misses += 1


def llm_error(code: str) -> None:
    """Count one failed LLM attempt (retried or not) by its error code."""
    if (trace := _current.get()) is not None:
        trace.llm_errors[code] += 1

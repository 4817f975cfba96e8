"""The per-request trace: stages timed into the current request's trace, nothing outside one."""

from __future__ import annotations

import asyncio

from bot.core import trace
from bot.core.trace import Trace, stage, tracing


async def test_stages_tokens_and_errors_go_to_the_current_trace() -> None:
    record = Trace("7", chat_id=1)
    with tracing(record):
        for _ in range(2):
            with stage("llm"):
                await asyncio.sleep(0)
        trace.add_tokens(100, 20)
        trace.add_tokens(5, 1)
        trace.llm_error("llm.rate_limited")
        trace.set_kind("summary")
        trace.set_outcome("fetch.timeout")
    assert record.stages["llm"].calls == 2
    assert [name for name, _ in record.runs] == ["llm", "llm"]
    assert (record.prompt_tokens, record.completion_tokens) == (105, 21)
    assert record.llm_errors == {"llm.rate_limited": 1}
    assert (record.kind, record.outcome) == ("summary", "fetch.timeout")
    assert trace.current_trace() is None


async def test_tasks_a_request_starts_report_into_its_trace() -> None:
    record = Trace("8")

    async def preview() -> None:
        with stage("send"):
            await asyncio.sleep(0)

    with tracing(record):
        task = asyncio.create_task(preview())
    await task
    assert record.stages["send"].calls == 1


def test_outside_a_request_nothing_is_recorded() -> None:
    with stage("fetch"):
        trace.add_tokens(1, 1)
        trace.set_kind("summary")
    assert trace.current_trace() is None


def test_a_failed_stage_still_counts_its_time() -> None:
    record = Trace("9")
    with tracing(record):
        try:
            with stage("fetch"):
                raise TimeoutError
        except TimeoutError:
            pass
    assert record.stages["fetch"].calls == 1

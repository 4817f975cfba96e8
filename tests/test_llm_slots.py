"""The model's slots: the limit falls on 429s and low rate-limit headers, recovers, and is fair."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.errors import RateLimitedError
from bot.core.llm.client import ChatMessage, OpenAIChatLLM
from bot.core.llm.slots import INCREASE_PER_CALL, FairSlots
from bot.core.trace import Trace, tracing
from tests.servers.openai_server import FakeOpenAI, client_for, prompt_of

CEILING = 8
RECOVERY_CALLS = int(CEILING / 2 / INCREASE_PER_CALL)


def ask(text: str) -> list[ChatMessage]:
    return [ChatMessage("user", text)]


async def calls(llm: OpenAIChatLLM, count: int) -> None:
    for index in range(count):
        await llm.complete(ask(f"call {index}"))


async def test_a_429_is_retried_unseen_and_halves_the_limit_which_recovers(
    openai_server: FakeOpenAI,
) -> None:
    async with client_for(openai_server, "fake-model", max_concurrency=CEILING) as llm:
        openai_server.fail_next(429, retry_after=0)
        completion = await llm.complete(ask("hello"))
        assert completion.text
        assert len(openai_server.requests) == 2
        assert llm.slots.limit == CEILING // 2
        await calls(llm, RECOVERY_CALLS)
        assert llm.slots.limit == CEILING


async def test_429s_of_calls_started_together_back_off_once(openai_server: FakeOpenAI) -> None:
    async with client_for(openai_server, "fake-model", max_concurrency=CEILING) as llm:
        openai_server.fail_next(429, times=4, retry_after=0)
        await asyncio.gather(*(llm.complete(ask(f"together {i}")) for i in range(4)))
        assert len(openai_server.requests) == 8
        assert llm.slots.limit == CEILING // 2 + int(4 * INCREASE_PER_CALL)


async def test_a_429_after_the_retries_reaches_the_caller(openai_server: FakeOpenAI) -> None:
    async with client_for(
        openai_server, "fake-model", max_concurrency=CEILING, max_retries=1
    ) as llm:
        openai_server.fail_next(429, times=2, retry_after=0)
        with pytest.raises(RateLimitedError):
            await llm.complete(ask("hello"))
        assert llm.slots.limit == CEILING // 4


@pytest.mark.parametrize("kind", ["requests", "tokens"])
async def test_low_remaining_headers_back_off_and_healthy_ones_recover(
    openai_server: FakeOpenAI, kind: str
) -> None:
    async with client_for(openai_server, "fake-model", max_concurrency=CEILING) as llm:
        openai_server.response_headers = {
            f"x-ratelimit-limit-{kind}": "1000",
            f"x-ratelimit-remaining-{kind}": "20",
        }
        await llm.complete(ask("hello"), on_delta=_ignore)
        assert llm.slots.limit == CEILING // 2
        openai_server.response_headers[f"x-ratelimit-remaining-{kind}"] = "900"
        await calls(llm, RECOVERY_CALLS)
        assert llm.slots.limit == CEILING


async def _ignore(piece: str) -> None:
    del piece


async def test_a_one_link_request_gets_a_slot_before_a_long_articles_queued_calls(
    openai_server: FakeOpenAI,
) -> None:
    openai_server.delay_s = 0.01
    async with client_for(openai_server, "fake-model", max_concurrency=1) as llm:
        with tracing(Trace("long", chat_id=1)):
            long = [asyncio.create_task(llm.complete(ask(f"chunk {i}"))) for i in range(10)]
        await asyncio.sleep(0)  # each task runs up to its slot: one call sent, nine queued
        assert llm.slots.waiting == 9
        with tracing(Trace("short", chat_id=2)):
            short = asyncio.create_task(llm.complete(ask("one link")))
        await asyncio.gather(*long, short)
    prompts = [prompt_of(body) for body in openai_server.requests]
    assert prompts[:3] == ["chunk 0", "one link", "chunk 1"]


async def test_a_waiter_cancelled_as_a_slot_frees_loses_no_slot_and_fails_no_holder() -> None:
    slots = FairSlots(ceiling=1)
    release = asyncio.Event()

    async def hold(requester: str) -> None:
        async with slots.slot(requester):
            await release.wait()

    holder = asyncio.create_task(hold("a"))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(hold("b"))
    await asyncio.sleep(0)
    assert (slots.in_use, slots.waiting) == (1, 1)
    # The waiter's cancellation lands before its task runs again, and the holder's release
    # comes in between: the slot must not go to the cancelled waiter.
    release.set()
    waiter.cancel()
    await asyncio.gather(holder, waiter, return_exceptions=True)
    assert holder.exception() is None
    assert waiter.cancelled()
    assert (slots.in_use, slots.waiting) == (0, 0)
    async with slots.slot("c"):
        assert slots.in_use == 1

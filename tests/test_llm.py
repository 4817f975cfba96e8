"""The OpenAI-compatible LLM client against a real local fake server: replies, streaming,
retries with backoff and Retry-After, timeouts, typed errors and the concurrency bound."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.config import load_settings
from bot.core.errors import (
    ContextRefusedError,
    ContextTooLongError,
    LLMAuthError,
    LLMError,
    LLMUnavailableError,
    ModelNotFoundError,
    RateLimitedError,
    RefusedError,
)
from bot.core.llm.client import (
    PLACEHOLDER_API_KEY,
    ChatMessage,
    OpenAIChatLLM,
    create_llm,
)
from bot.core.llm.failures import _retry_after
from tests.servers.openai_server import FakeOpenAI

KEY = "sk-test-0123456789"
ARTICLE = (
    "The city council approved a new budget on Tuesday after a long debate about parks and schools"
)
MESSAGES = [
    ChatMessage("system", "You summarize articles."),
    ChatMessage("user", ARTICLE),
]
MakeLLM = Callable[..., OpenAIChatLLM]


@pytest.fixture
async def make_llm(openai_server: FakeOpenAI) -> AsyncIterator[MakeLLM]:
    """Build clients on the fake server with fast settings; all are closed afterwards."""
    made: list[OpenAIChatLLM] = []

    def make(**overrides: Any) -> OpenAIChatLLM:
        options: dict[str, Any] = {
            "api_key": KEY,
            "base_url": openai_server.base_url,
            "model": "fake-model",
            "timeout_s": 5.0,
            "max_retries": 2,
            "backoff_base_s": 0.02,
        }
        llm = OpenAIChatLLM(**(options | overrides))
        made.append(llm)
        return llm

    yield make
    for llm in made:
        await llm.aclose()


def _words(text: str) -> int:
    return len(text.split())


async def test_completion_returns_text_and_usage(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    completion = await make_llm().complete(MESSAGES, max_tokens=300)

    assert completion.text == "Summary: " + " ".join(ARTICLE.split()[:12])
    assert completion.model == "fake-model"
    assert completion.finish_reason == "stop"
    prompt_words = sum(_words(m.content) for m in MESSAGES)
    assert completion.usage.prompt_tokens == prompt_words
    assert completion.usage.completion_tokens == _words(completion.text)
    body = openai_server.requests[0]
    assert body["model"] == "fake-model"
    assert body["messages"] == [{"role": m.role, "content": m.content} for m in MESSAGES]
    assert body["max_completion_tokens"] == 300
    assert "max_tokens" not in body
    assert "temperature" not in body
    assert "stream" not in body
    assert openai_server.headers[0]["authorization"] == f"Bearer {KEY}"


async def test_streaming_delivers_deltas_in_order(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    completion = await make_llm().complete(MESSAGES, on_delta=on_delta)

    assert len(deltas) > 3
    assert "".join(deltas) == completion.text
    assert completion.text == "Summary: " + " ".join(ARTICLE.split()[:12])
    assert completion.usage.prompt_tokens == sum(_words(m.content) for m in MESSAGES)
    assert completion.usage.completion_tokens == _words(completion.text)
    body = openai_server.requests[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"][-1] == {"role": "user", "content": ARTICLE}
    assert "max_completion_tokens" not in body


@pytest.mark.parametrize("stream", [False, True])
async def test_missing_usage_is_estimated_not_zero(
    openai_server: FakeOpenAI, make_llm: MakeLLM, stream: bool
) -> None:
    openai_server.send_usage = False

    async def ignore(_: str) -> None:
        pass

    completion = await make_llm().complete(MESSAGES, on_delta=ignore if stream else None)

    prompt_chars = sum(len(m.content) for m in MESSAGES)
    assert prompt_chars // 8 < completion.usage.prompt_tokens < prompt_chars
    assert 0 < completion.usage.completion_tokens < len(completion.text)


async def test_429_waits_for_retry_after_then_succeeds(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.fail_next(429, retry_after=0.3)
    started = time.monotonic()

    completion = await make_llm().complete(MESSAGES)

    assert time.monotonic() - started >= 0.3
    assert completion.text.startswith("Summary:")
    assert len(openai_server.requests) == 2


async def test_persistent_429_is_rate_limited(openai_server: FakeOpenAI, make_llm: MakeLLM) -> None:
    openai_server.fail_next(429, times=3, retry_after=0.05)

    with pytest.raises(RateLimitedError) as caught:
        await make_llm(max_retries=2).complete(MESSAGES)

    assert caught.value.details["retry_after"] == pytest.approx(0.05)
    assert len(openai_server.requests) == 3


async def test_retry_after_beyond_the_cap_gives_up_at_once(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.fail_next(429, retry_after=3600)

    with pytest.raises(RateLimitedError) as caught:
        await make_llm().complete(MESSAGES)

    assert caught.value.details["retry_after"] == pytest.approx(3600)
    assert len(openai_server.requests) == 1


async def test_exhausted_quota_is_not_retried(openai_server: FakeOpenAI, make_llm: MakeLLM) -> None:
    openai_server.fail_next(429, code="insufficient_quota", message="You exceeded your quota")

    with pytest.raises(RateLimitedError):
        await make_llm().complete(MESSAGES)

    assert len(openai_server.requests) == 1


async def test_500_is_retried_then_succeeds_and_logged_without_secrets(
    openai_server: FakeOpenAI, make_llm: MakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    openai_server.fail_next(500)

    with caplog.at_level(logging.WARNING, logger="bot.core.llm.client"):
        completion = await make_llm().complete(MESSAGES)

    assert completion.text.startswith("Summary:")
    assert len(openai_server.requests) == 2
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.core.llm.client"]
    assert len(warnings) == 1
    assert "500" in warnings[0]
    assert KEY not in caplog.text
    assert ARTICLE not in caplog.text


async def test_persistent_500_is_unavailable_after_all_retries(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.fail_next(503, times=10)

    with pytest.raises(LLMUnavailableError) as caught:
        await make_llm(max_retries=3).complete(MESSAGES)

    assert caught.value.details["status"] == 503
    assert len(openai_server.requests) == 4


@pytest.mark.parametrize("stream", [False, True])
async def test_a_request_the_server_took_is_not_sent_again_after_a_timeout(
    openai_server: FakeOpenAI, make_llm: MakeLLM, stream: bool
) -> None:
    # The server may still be working on it, and bills it either way.
    openai_server.hang_next(times=3)

    async def ignore(_: str) -> None:
        pass

    llm = make_llm(timeout_s=0.3, reply_timeout_s=0.3, max_retries=2)
    with pytest.raises(LLMUnavailableError, match="timed out"):
        await llm.complete(MESSAGES, on_delta=ignore if stream else None)

    assert len(openai_server.requests) == 1


async def test_a_whole_reply_may_take_longer_than_a_stream_may_stall(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.delay_s = 1.0  # the model writes the whole reply before sending a byte
    llm = make_llm(timeout_s=0.3, reply_timeout_s=30)

    completion = await llm.complete(MESSAGES)

    assert completion.text.startswith("Summary:")
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize(("model", "waits"), [("gpt-5-mini", True), ("fake-model", False)])
async def test_only_a_reasoning_model_may_think_in_silence_before_it_streams(
    openai_server: FakeOpenAI, make_llm: MakeLLM, model: str, waits: bool
) -> None:
    openai_server.delay_s = 1.0
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    llm = make_llm(model=model, timeout_s=0.3, reply_timeout_s=30)
    if waits:
        completion = await llm.complete(MESSAGES, on_delta=on_delta)
        assert "".join(deltas) == completion.text
    else:
        with pytest.raises(LLMUnavailableError, match="timed out"):
            await llm.complete(MESSAGES, on_delta=on_delta)
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize(
    ("model", "sent"), [("gpt-5-mini", "low"), ("openai/o4-mini", "low"), ("gpt-4o", None)]
)
async def test_reasoning_effort_goes_to_reasoning_models_only(
    openai_server: FakeOpenAI, make_llm: MakeLLM, model: str, sent: str | None
) -> None:
    await make_llm(model=model, reasoning_effort="low").complete(MESSAGES)

    assert openai_server.requests[0].get("reasoning_effort") == sent


async def test_reasoning_effort_setting_reaches_the_request(
    openai_server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_REASONING_EFFORT", "medium")
    settings = load_settings(openai_base_url=openai_server.base_url, llm_model="gpt-5-nano")
    assert load_settings().llm_reasoning_effort == "medium"
    llm = create_llm(settings.llm_config())
    assert llm is not None
    try:
        await llm.complete(MESSAGES)
    finally:
        await llm.aclose()

    assert openai_server.requests[0]["reasoning_effort"] == "medium"


def test_default_reasoning_effort_is_low() -> None:
    assert load_settings().llm_reasoning_effort == "low"


THOUGHT = "<think>The user wants a summary. Let me plan: first the gist.</think>\n\n"


@pytest.mark.parametrize("words_per_delta", [1, 3])
@pytest.mark.parametrize("stream", [False, True])
async def test_think_blocks_are_cut_from_replies(
    openai_server: FakeOpenAI, make_llm: MakeLLM, stream: bool, words_per_delta: int
) -> None:
    openai_server.responder = lambda body: THOUGHT + "**Gist.** <b>bold</b>\n- Point."
    openai_server.words_per_delta = words_per_delta
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    completion = await make_llm().complete(MESSAGES, on_delta=on_delta if stream else None)

    assert completion.text == "**Gist.** <b>bold</b>\n- Point."
    assert "".join(deltas) == (completion.text if stream else "")
    assert not any("think" in piece or "plan" in piece for piece in deltas)


async def test_a_think_block_never_closed_is_never_shown(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.responder = lambda body: "<think>Step one: read. Step two: still thinking"
    openai_server.finish_reason = "length"
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    completion = await make_llm().complete(MESSAGES, on_delta=on_delta)

    assert completion.text == ""
    assert deltas == []
    assert completion.finish_reason == "length"


async def test_the_fake_server_cuts_replies_at_the_output_limit(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.reasoning_tokens = lambda body: 4
    cut = await make_llm().complete(MESSAGES, max_tokens=7)
    assert cut.text == "Summary: The city"
    assert cut.finish_reason == "length"
    assert cut.usage.completion_tokens == 7
    spent = await make_llm().complete(MESSAGES, max_tokens=3)
    assert spent.text == ""
    assert spent.finish_reason == "length"
    whole = await make_llm().complete(MESSAGES, max_tokens=100)
    assert whole.finish_reason == "stop"
    assert whole.usage.completion_tokens == _words(whole.text) + 4


async def test_the_fake_server_refuses_a_prompt_over_its_input_limit(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.max_prompt_tokens = 10
    with pytest.raises(ContextTooLongError):
        await make_llm().complete(MESSAGES)
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (  # OpenAI
            "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 130000 tokens.",
            "context_length_exceeded",
        ),
        (  # vLLM
            "This model's maximum context length is 4096 tokens. However, you requested 5000 "
            "tokens.",
            None,
        ),
        ("the request exceeds the available context size, try increasing it", None),  # llama.cpp
    ],
)
async def test_context_too_long_is_not_retried(
    openai_server: FakeOpenAI, make_llm: MakeLLM, message: str, code: str | None
) -> None:
    openai_server.fail_next(400, message=message, code=code)

    with pytest.raises(ContextTooLongError):
        await make_llm().complete(MESSAGES)

    assert len(openai_server.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_bad_key_is_an_auth_error(
    openai_server: FakeOpenAI, make_llm: MakeLLM, status: int
) -> None:
    openai_server.fail_next(status, message="Incorrect API key provided", code="invalid_api_key")

    with pytest.raises(LLMAuthError):
        await make_llm().complete(MESSAGES)

    assert len(openai_server.requests) == 1


@pytest.mark.parametrize(
    ("status", "code", "expected", "detail"),
    [
        (400, "unknown_parameter", LLMError, ("status", 400)),
        (404, "model_not_found", ModelNotFoundError, ("model", "fake-model")),
    ],
)
async def test_other_client_errors_are_typed_and_not_retried(
    openai_server: FakeOpenAI,
    make_llm: MakeLLM,
    status: int,
    code: str,
    expected: type[LLMError],
    detail: tuple[str, object],
) -> None:
    openai_server.fail_next(status, message="The request is wrong", code=code)

    with pytest.raises(LLMError) as caught:
        await make_llm().complete(MESSAGES)

    assert type(caught.value) is expected
    assert caught.value.details[detail[0]] == detail[1]
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_filtered_reply_is_refused(
    openai_server: FakeOpenAI, make_llm: MakeLLM, stream: bool
) -> None:
    openai_server.finish_reason = "content_filter"

    async def ignore(_: str) -> None:
        pass

    with pytest.raises(RefusedError):
        await make_llm().complete(MESSAGES, on_delta=ignore if stream else None)


async def test_broken_stream_is_retried_only_before_the_first_delta(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.break_stream_next()
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    with pytest.raises(LLMUnavailableError):
        await make_llm().complete(MESSAGES, on_delta=on_delta)

    assert deltas == ["Summary: The"]
    assert len(openai_server.requests) == 1


async def test_failed_stream_before_any_delta_is_retried(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.fail_next(502)
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    completion = await make_llm().complete(MESSAGES, on_delta=on_delta)

    assert "".join(deltas) == completion.text
    assert len(openai_server.requests) == 2


async def test_one_token_a_chunk_streams_every_word_and_skips_empty_deltas(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    # Real servers send about one token per chunk, and open with an empty role-only delta.
    openai_server.words_per_delta = 1
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    completion = await make_llm().complete(MESSAGES, on_delta=on_delta)

    assert len(deltas) == _words(completion.text) == 13
    assert all(deltas)
    assert "".join(deltas) == completion.text
    assert completion.finish_reason == "stop"
    assert completion.usage.completion_tokens == 13


async def test_refusal_delta_in_a_stream_is_refused(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    refusal = {"index": 0, "delta": {"refusal": "I can't help with that."}, "finish_reason": None}
    openai_server.stream_extra = [{"model": "fake-model", "choices": [refusal]}]

    async def ignore(_: str) -> None:
        pass

    with pytest.raises(RefusedError):
        await make_llm().complete(MESSAGES, on_delta=ignore)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (  # vLLM reports an overflow found while generating as an error event
            {"message": "This model's maximum context length is 4096 tokens.", "code": 400},
            ContextRefusedError,
        ),
        ({"message": "Upstream provider crashed", "type": "server_error"}, LLMError),
    ],
)
async def test_error_event_mid_stream_is_typed_and_not_retried(
    openai_server: FakeOpenAI, make_llm: MakeLLM, error: dict[str, Any], expected: type[LLMError]
) -> None:
    openai_server.stream_extra = [{"error": error}]
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    with pytest.raises(LLMError) as caught:
        await make_llm().complete(MESSAGES, on_delta=on_delta)

    assert type(caught.value) is expected
    assert deltas == ["Summary: The"]
    assert len(openai_server.requests) == 1


async def test_malformed_stream_chunks_are_typed_errors_or_ignored(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    async def ignore(_: str) -> None:
        pass

    # Odd field types are read as absent, so the rest of the reply still arrives.
    openai_server.stream_extra = [
        {"model": 7, "usage": {"prompt_tokens": "many"}, "choices": "none"},
        {"choices": [{"delta": {"content": 5, "refusal": None}, "finish_reason": 1}]},
        {"choices": [None]},
    ]
    completion = await make_llm().complete(MESSAGES, on_delta=ignore)
    assert completion.text == "Summary: " + " ".join(ARTICLE.split()[:12])
    assert completion.model == "fake-model"
    assert completion.finish_reason == "stop"

    openai_server.stream_extra = [[1, 2]]
    with pytest.raises(LLMError, match="not a JSON object"):
        await make_llm().complete(MESSAGES, on_delta=ignore)

    openai_server.stream_extra = ["{not json"]
    with pytest.raises(LLMError, match="not JSON"):
        await make_llm().complete(MESSAGES, on_delta=ignore)


async def test_stream_stalling_mid_reply_times_out_without_a_retry(
    openai_server: FakeOpenAI, make_llm: MakeLLM
) -> None:
    openai_server.responder = lambda body: "one two three four"
    openai_server.stream_s = 2.0  # a second of silence after each two-word delta
    deltas: list[str] = []

    async def on_delta(piece: str) -> None:
        deltas.append(piece)

    with pytest.raises(LLMUnavailableError, match="timed out"):
        await make_llm(timeout_s=0.3).complete(MESSAGES, on_delta=on_delta)

    assert deltas == ["one two"]
    assert len(openai_server.requests) == 1


async def test_concurrency_is_bounded(openai_server: FakeOpenAI, make_llm: MakeLLM) -> None:
    openai_server.delay_s = 0.15
    llm = make_llm(max_concurrency=2)

    completions = await asyncio.gather(*(llm.complete(MESSAGES) for _ in range(6)))

    assert len(completions) == 6
    assert openai_server.max_in_flight == 2
    assert len(openai_server.requests) == 6


async def test_create_llm_needs_a_key_or_a_base_url() -> None:
    assert load_settings().llm_config() is None
    assert create_llm(None) is None


async def test_create_llm_with_only_a_base_url_uses_a_placeholder_key(
    openai_server: FakeOpenAI,
) -> None:
    settings = load_settings(
        openai_base_url=openai_server.base_url, llm_model="fake-model-mini", llm_max_retries=0
    )
    llm = create_llm(settings.llm_config())
    assert isinstance(llm, OpenAIChatLLM)
    try:
        completion = await llm.complete(MESSAGES)
    finally:
        await llm.aclose()

    assert llm.model == "fake-model-mini"
    assert completion.model == "fake-model-mini"
    assert openai_server.headers[0]["authorization"] == f"Bearer {PLACEHOLDER_API_KEY}"


def test_retry_after_header_forms() -> None:
    assert _retry_after({"retry-after": "2"}) == 2.0
    assert _retry_after({"retry-after": "0.5"}) == 0.5
    assert _retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert _retry_after({"retry-after": "soon"}) is None
    assert _retry_after({}) is None
    in_30_s = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (_retry_after({"retry-after": in_30_s}) or 0) <= 30
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert _retry_after({"retry-after": past}) == 0.0

"""The LLM behind an interface, and its OpenAI-compatible implementation (the only `openai` user)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, cast

import openai

from bot.core.errors import LLMError
from bot.core.llm.failures import translate
from bot.core.llm.limits import model_limits
from bot.core.llm.replies import (
    ChatMessageParam,
    ParsedReply,
    check_refusal,
    estimate_usage,
    field_text,
)
from bot.core.llm.slots import FairSlots, Slot
from bot.core.llm.think import ThinkFilter, strip_think
from bot.core.models import Usage
from bot.core.trace import add_tokens, current_trace, llm_error, stage

# Receives each piece of streamed text as it arrives.
DeltaCallback = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat completion request."""

    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Completion:
    """The model's whole reply and what it cost."""

    text: str
    usage: Usage
    model: str
    finish_reason: str | None = None


class LLM(Protocol):
    """A chat model. Implementations raise only `bot.core.errors.LLMError` subclasses."""

    @property
    def model(self) -> str:
        """The model name requests go to."""
        ...

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        on_delta: DeltaCallback | None = None,
    ) -> Completion:
        """Run one completion; with `on_delta` the reply is streamed through it as it comes."""
        ...

    async def aclose(self) -> None:
        """Release the client's connections."""
        ...


# --- the OpenAI-compatible implementation --------------------------------------------------

# Bearer auth, as the SDK's own methods ask for it; the raw response (what `with_raw_response`
# asks for) carries the provider's rate-limit headers the slots adapt to.
_REQUEST_OPTIONS: openai.RequestOptions = {
    "security": {"bearer_auth": True},
    "headers": {"X-Stainless-Raw-Response": "true"},
}

log = logging.getLogger(__name__)

# Local servers (Ollama, vLLM, llama.cpp) ignore the key; the client refuses to start without one.
PLACEHOLDER_API_KEY = "not-needed"
# Longest wait we accept between attempts; a longer Retry-After means "come back much later".
MAX_RETRY_WAIT_S = 60.0
DEFAULT_BACKOFF_BASE_S = 0.5
DEFAULT_REPLY_TIMEOUT_S = 300.0
# Calls at once at the most: a generous ceiling, as the slots adapt below it (bot.core.llm.slots).
DEFAULT_MAX_CONCURRENCY = 64


class _RawResponse(Protocol):
    """What the SDK returns for a raw-response request: the headers, and the parsed body."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    def parse(self) -> object: ...


class OpenAIChatLLM:
    """An `LLM` on any OpenAI-compatible Chat Completions server, with retries and a bound."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        model: str,
        timeout_s: float = 60.0,
        reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S,
        reasoning_effort: str | None = None,
        max_retries: int = 3,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        backoff_base_s: float = DEFAULT_BACKOFF_BASE_S,
    ) -> None:
        # max_retries=0: our loop below is the only retry logic, so it is the one tests see.
        # The timeout bounds every network wait (connect, each read), so a stream that keeps
        # sending is never cut off while a silent server is given up on after timeout_s.
        self._client = openai.AsyncOpenAI(
            api_key=api_key or PLACEHOLDER_API_KEY,
            base_url=base_url,
            timeout=timeout_s,
            max_retries=0,
            # aiohttp under the client: the default httpx2/anyio transport cost several times
            # the CPU per request when hundreds of requests are in flight (bench/concurrency.py).
            http_client=openai.DefaultAioHttpClient(),
        )
        self._model = model
        reasoning = model_limits(model).reasoning
        # Models that do not reason refuse the parameter; those that do think at "medium"
        # without it, which on a long input can spend the whole output limit before a word.
        self._effort = reasoning_effort if reasoning else None
        # The first byte of a whole reply comes once all of it is written, and a reasoning
        # model is silent while it thinks: either may take longer than a stalled stream.
        self._whole_timeout = openai.Timeout(timeout_s, read=max(timeout_s, reply_timeout_s))
        self._stream_timeout = self._whole_timeout if reasoning else openai.Timeout(timeout_s)
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self.slots = FairSlots(max_concurrency)

    @property
    def model(self) -> str:
        """The model name requests go to."""
        return self._model

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        on_delta: DeltaCallback | None = None,
    ) -> Completion:
        """Run one completion, retrying transient failures; raise only LLMError subclasses."""
        with stage("llm"):
            completion = await self._complete(messages, max_tokens, on_delta)
        add_tokens(completion.usage.prompt_tokens, completion.usage.completion_tokens)
        return completion

    async def _complete(
        self,
        messages: Sequence[ChatMessage],
        max_tokens: int | None,
        on_delta: DeltaCallback | None,
    ) -> Completion:
        params = [_message_param(m) for m in messages]
        trace = current_trace()
        requester = trace.chat_id if trace is not None else None
        attempt = 0
        while True:
            delivered: list[str] = []  # text already handed to on_delta during this attempt
            try:
                async with self.slots.slot(requester) as slot:
                    return await self._attempt(slot, params, max_tokens, on_delta, delivered)
            except openai.OpenAIError as exc:
                failure = translate(exc, self._model)
                llm_error(failure.error.code)
                # A retry after deltas went out would show the reader the same words twice.
                if not failure.retryable or delivered or attempt >= self._max_retries:
                    raise failure.error from exc
                delay = self._delay(attempt, failure.retry_after)
                if delay > MAX_RETRY_WAIT_S:
                    raise failure.error from exc
                attempt += 1
                log.warning(
                    "LLM request failed (%s); retry %d of %d in %.2f s",
                    failure.error,
                    attempt,
                    self._max_retries,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _attempt(
        self,
        slot: Slot,
        params: list[ChatMessageParam],
        max_tokens: int | None,
        on_delta: DeltaCallback | None,
        delivered: list[str],
    ) -> Completion:
        """One call in its slot; what the provider says of its limits adapts the slots."""
        try:
            if on_delta is None:
                completion, headers = await self._create(params, max_tokens)
            else:
                completion, headers = await self._stream(params, max_tokens, on_delta, delivered)
        except openai.RateLimitError:
            self.slots.backed_off(slot)
            raise
        self.slots.succeeded(slot, headers)
        return completion

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """The server's Retry-After when given, else exponential backoff with jitter."""
        if retry_after is not None:
            return retry_after
        backoff: float = min(MAX_RETRY_WAIT_S, self._backoff_base_s * 2**attempt)
        # "Equal jitter": at least half the backoff, so clients that failed together spread out.
        return backoff / 2 + random.uniform(0, backoff / 2)

    async def _create(
        self, params: list[ChatMessageParam], limit: int | None
    ) -> tuple[Completion, Mapping[str, str]]:
        raw = await self._post(self._body(params, limit, stream=False), self._whole_timeout)
        data = raw.parse()
        reply = ParsedReply(self._model)
        choice = reply.choice(data)
        if choice is None:
            raise LLMError("The LLM returned no choices")
        message = choice.get("message")
        message = message if isinstance(message, dict) else {}
        text = strip_think(field_text(message.get("content")))
        check_refusal(reply.finish_reason, field_text(message.get("refusal")))
        usage = reply.usage or estimate_usage(params, text)
        return Completion(text, usage, reply.model, reply.finish_reason), raw.headers

    async def _stream(
        self,
        params: list[ChatMessageParam],
        limit: int | None,
        on_delta: DeltaCallback,
        delivered: list[str],
    ) -> tuple[Completion, Mapping[str, str]]:
        reply = ParsedReply(self._model)
        # Chunks as plain JSON: building a pydantic model per chunk was most of a streamed
        # reply's CPU. The library still decodes the events, stops at [DONE], raises an
        # APIError for an error event and maps network failures, as with parsed chunks.
        raw = await self._post(self._body(params, limit, stream=True), self._stream_timeout)
        stream = cast(openai.AsyncStream[object], raw.parse())
        thinking = ThinkFilter()
        async with stream:
            try:
                async for chunk in stream:
                    if piece := thinking.feed(reply.delta_text(chunk)):
                        delivered.append(piece)
                        await on_delta(piece)
            except json.JSONDecodeError as exc:
                raise LLMError("The LLM streamed an event that is not JSON") from exc
        if piece := thinking.end():
            delivered.append(piece)
            await on_delta(piece)
        check_refusal(reply.finish_reason, "".join(reply.refusal))
        text = "".join(delivered)
        # Some servers (older vLLM, llama.cpp, proxies) ignore include_usage; an estimate keeps
        # cost accounting honest where zero would claim the reply was free.
        usage = reply.usage or estimate_usage(params, text)
        return Completion(text, usage, reply.model, reply.finish_reason), raw.headers

    async def _post(self, body: dict[str, object], limits: openai.Timeout) -> _RawResponse:
        """POST a completion request; the raw response, whose body parses as plain JSON."""
        stream = body.get("stream") is True
        raw = await self._client.post(
            "/chat/completions",
            body=body,
            cast_to=object,
            options=_REQUEST_OPTIONS | {"timeout": limits},
            stream=stream,
            stream_cls=openai.AsyncStream[object] if stream else None,
        )
        return cast(_RawResponse, raw)

    def _body(
        self, params: list[ChatMessageParam], limit: int | None, *, stream: bool
    ) -> dict[str, object]:
        """The request body as JSON-ready data (the SDK's typed-dict transform is skipped:
        it walked the whole article text and cost more than the rest of the request)."""
        body: dict[str, object] = {"model": self._model, "messages": params}
        if limit is not None:
            body["max_completion_tokens"] = limit
        if self._effort is not None:
            body["reasoning_effort"] = self._effort
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
        return body


@dataclass(frozen=True)
class LLMConfig:
    """How to reach an OpenAI-compatible server and how hard to try."""

    model: str
    api_key: str | None = None
    base_url: str | None = None
    timeout_s: float = 60.0
    reply_timeout_s: float = DEFAULT_REPLY_TIMEOUT_S
    reasoning_effort: str | None = None  # sent to reasoning models only
    max_retries: int = 3
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY


def create_llm(config: LLMConfig | None) -> LLM | None:
    """The configured LLM, or None when there is none (extractive mode)."""
    if config is None:
        return None
    return OpenAIChatLLM(**dataclasses.asdict(config))  # the fields are its keyword arguments


def _message_param(message: ChatMessage) -> ChatMessageParam:
    return {"role": message.role, "content": message.content}

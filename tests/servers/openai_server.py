"""A fake OpenAI-compatible server on 127.0.0.1 so the real `openai` client code runs in tests.

It serves `POST /v1/chat/completions` (JSON, or server-sent events with `"stream": true`, plus a
final usage chunk when `stream_options.include_usage` is set) and `GET /v1/models`.

Use the `openai_server` fixture (async, function scope)::

    async def test_summary(openai_server: FakeOpenAI) -> None:
        llm = OpenAIChatLLM(api_key="sk-test", base_url=openai_server.base_url, model="fake-model")
        openai_server.responder = lambda body: "A fixed reply."  # optional: choose the reply
        openai_server.fail_next(429, retry_after=0.2)  # the next request gets a 429
        openai_server.hang_next()  # the request after that never gets an answer
        ...
        assert openai_server.requests[-1]["model"] == "fake-model"
        assert openai_server.headers[-1]["authorization"] == "Bearer sk-test"

What it records and lets you set:

- `requests`: JSON bodies received at /v1/chat/completions, in order (failed and hung ones too).
- `headers`: the request headers of each, keys lower-cased.
- `responder(body) -> str`: the reply text; by default "Summary: " + the first 12 words of the
  last user message, so the reply depends on the prompt.
- `delay_s`: wait this long before answering each request.
- `stream_s`: spread a streamed reply's deltas evenly over this many seconds (0: all at once),
  like a real model generating tokens after `delay_s` (its time to first token); a reply that
  is not streamed comes whole after `delay_s + stream_s`.
- `finish_reason`: sent with every reply ("stop"; set "content_filter" to play a filtered reply);
  a reply cut at the request's `max_completion_tokens` ends with "length" instead.
- `reasoning_tokens(body) -> int`: hidden reasoning tokens the model spends before replying
  (0 by default). Like a real reasoning model's, they come out of `max_completion_tokens`
  first, so a small limit leaves a cut or empty reply, and usage reports them.
- `max_prompt_tokens`: refuse a longer prompt with 400 `context_length_exceeded`, as OpenAI
  does (None: any length).
- `send_usage`: set False to play servers that never report usage.
- `words_per_delta`: words in each streamed delta (2; real servers send about one token each).
- `stream_extra`: events sent after the first content delta of a streamed reply: JSON values
  (e.g. a `refusal` delta, or an `{"error": {...}}` event as vLLM and proxies send mid-stream)
  or strings sent verbatim as the event's data.
- `fail_next(status, ...)`, `hang_next(times)`, `break_stream_next(times)`: queued misbehaviours
  consumed by the next requests (failures first, then hangs, then broken streams). A broken
  stream sends its first delta, then drops the connection.
- `hold()` / `release()`: from `hold()` on, requests are recorded but not answered until
  `release()` (then all at once, in the order they came), so a test sees what reached the
  model while calls are in flight, with no timing.
- `in_flight` / `max_in_flight`: requests being answered right now / the most ever at once.
- `response_headers`: sent with every successful reply (a provider's `x-ratelimit-*` headers).

Usage numbers are real-ish: prompt_tokens counts the words of the request messages,
completion_tokens the words of the reply plus the reasoning tokens. Streaming sends the reply in deltas of
`words_per_delta` words.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from aiohttp import web

from bot.core.llm.client import OpenAIChatLLM

MODEL_IDS = ("fake-model", "fake-model-mini")


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: float | None
    message: str
    code: str | None


def default_responder(body: dict[str, Any]) -> str:
    """'Summary: ' and the first 12 words of the last user message."""
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    words = _content_text(users[-1].get("content")).split() if users else []
    return "Summary: " + " ".join(words[:12])


def _content_text(content: Any) -> str:
    # Content is a string or, in the newer shape, a list of {"type": "text", "text": ...} parts.
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _word_count(text: str) -> int:
    return len(text.split())


def _prompt_tokens(body: dict[str, Any]) -> int:
    return sum(_word_count(_content_text(m.get("content"))) for m in body["messages"])


@dataclass(frozen=True)
class _Reply:
    """What the fake model writes for one request."""

    text: str
    finish_reason: str
    reasoning_tokens: int


def _cut(text: str, words: int) -> str:
    """The first `words` words of `text`, as written."""
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    return text[: ends[words - 1]] if words > 0 else ""


class FakeOpenAI:
    """State and knobs of one running fake server (see the module docstring)."""

    def __init__(self) -> None:
        self.base_url = ""
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.responder: Callable[[dict[str, Any]], str] = default_responder
        self.delay_s = 0.0
        self.stream_s = 0.0
        self.finish_reason = "stop"
        self.reasoning_tokens: Callable[[dict[str, Any]], int] = lambda body: 0
        self.max_prompt_tokens: int | None = None
        self.send_usage = True
        self.words_per_delta = 2
        self.stream_extra: list[Any] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.response_headers: dict[str, str] = {}  # e.g. x-ratelimit-remaining-requests
        self._failures: deque[_Failure] = deque()
        self._hangs = 0
        self._breaks = 0
        self._release = asyncio.Event()  # set at teardown so hung handlers end
        self._held: asyncio.Event | None = None  # set by release(): held requests go on

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        message: str = "Simulated failure",
        code: str | None = None,
    ) -> None:
        """Answer the next `times` requests with this HTTP error (and Retry-After seconds)."""
        self._failures.extend([_Failure(status, retry_after, message, code)] * times)

    def hold(self) -> None:
        """Answer no request from now on until `release()`."""
        self._held = self._held or asyncio.Event()

    def release(self) -> None:
        """Answer the held requests, and every later one at once again."""
        held, self._held = self._held, None
        if held is not None:
            held.set()

    def hang_next(self, times: int = 1) -> None:
        """Never answer the next `times` requests (the client must time out)."""
        self._hangs += times

    def break_stream_next(self, times: int = 1) -> None:
        """Drop the connection after the first delta of the next `times` streamed replies."""
        self._breaks += times

    # --- handlers -------------------------------------------------------------------------

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body: dict[str, Any] = await request.json()
        self.requests.append(body)
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self._held is not None:
                await self._held.wait()
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if self._failures:
                return _error_response(self._failures.popleft())
            if self._hangs:
                self._hangs -= 1
                await self._release.wait()
                return web.Response(status=504)
            if self.max_prompt_tokens is not None and _prompt_tokens(body) > self.max_prompt_tokens:
                return _error_response(self._too_long(body))
            reply = self._reply(body)
            if body.get("stream"):
                return await self._stream(request, body, reply)
            # A whole reply comes once the model has written all of it, as a stream ends.
            await asyncio.sleep(self.stream_s)
            return web.json_response(self._completion(body, reply), headers=self.response_headers)
        finally:
            self.in_flight -= 1

    def _too_long(self, body: dict[str, Any]) -> _Failure:
        message = (
            f"This model's maximum context length is {self.max_prompt_tokens} tokens. However, "
            f"your messages resulted in {_prompt_tokens(body)} tokens."
        )
        return _Failure(400, None, message, "context_length_exceeded")

    def _reply(self, body: dict[str, Any]) -> _Reply:
        """The responder's text, cut where reasoning and reply exhaust the output limit."""
        text, reasoning = self.responder(body), self.reasoning_tokens(body)
        limit = body.get("max_completion_tokens")
        if limit is None or reasoning + _word_count(text) <= limit:
            return _Reply(text, self.finish_reason, reasoning)
        reasoning = min(reasoning, limit)
        return _Reply(_cut(text, limit - reasoning), "length", reasoning)

    def _usage(self, body: dict[str, Any], reply: _Reply) -> dict[str, Any]:
        prompt = _prompt_tokens(body)
        completion = _word_count(reply.text) + reply.reasoning_tokens
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "completion_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
        }

    def _completion(self, body: dict[str, Any], reply: _Reply) -> dict[str, Any]:
        result: dict[str, Any] = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL_IDS[0]),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text, "refusal": None},
                    "finish_reason": reply.finish_reason,
                }
            ],
        }
        if self.send_usage:
            result["usage"] = self._usage(body, reply)
        return result

    async def _stream(
        self, request: web.Request, body: dict[str, Any], reply: _Reply
    ) -> web.StreamResponse:
        headers = {"Content-Type": "text/event-stream", **self.response_headers}
        response = web.StreamResponse(headers=headers)
        await response.prepare(request)
        base = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", MODEL_IDS[0]),
        }

        async def send(choices: list[dict[str, Any]], **extra: Any) -> None:
            chunk = {**base, "choices": choices, **extra}
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
        broken = self._breaks > 0
        if broken:
            self._breaks -= 1
        pieces = _pieces(reply.text, self.words_per_delta)
        for i, piece in enumerate(pieces):
            await send([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
            if i == 0:
                for extra in self.stream_extra:
                    data = extra if isinstance(extra, str) else json.dumps(extra)
                    await response.write(f"data: {data}\n\n".encode())
            if self.stream_s:
                await asyncio.sleep(self.stream_s / len(pieces))
            if broken and request.transport is not None:
                request.transport.close()
                return response
        await send([{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}])
        include_usage = (body.get("stream_options") or {}).get("include_usage")
        if include_usage and self.send_usage:
            await send([], usage=self._usage(body, reply))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _models(self, request: web.Request) -> web.Response:
        data = [{"id": i, "object": "model", "created": 0, "owned_by": "fake"} for i in MODEL_IDS]
        return web.json_response({"object": "list", "data": data})


def _pieces(reply: str, size: int = 2) -> list[str]:
    """Split the reply into small deltas (`size` words each) that join back to it exactly."""
    words = reply.split(" ")
    pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [p if i == 0 else " " + p for i, p in enumerate(pieces)]


def _error_response(failure: _Failure) -> web.Response:
    headers = {}
    if failure.retry_after is not None:
        headers["Retry-After"] = f"{failure.retry_after:g}"
    kind = "rate_limit_error" if failure.status == 429 else "invalid_request_error"
    if failure.status >= 500:
        kind = "server_error"
    error = {"message": failure.message, "type": kind, "param": None, "code": failure.code}
    return web.json_response({"error": error}, status=failure.status, headers=headers)


@asynccontextmanager
async def serve_openai() -> AsyncIterator[FakeOpenAI]:
    """Run a fake OpenAI-compatible server (for the fixture and benches); `base_url` ends in /v1."""
    fake = FakeOpenAI()
    # Real servers take prompts of hundreds of thousands of tokens; aiohttp's default is 1 MB.
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", fake._chat)
    app.router.add_get("/v1/models", fake._models)
    runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    fake.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    try:
        yield fake
    finally:
        fake._release.set()
        fake.release()
        await runner.cleanup()


@pytest_asyncio.fixture
async def openai_server() -> AsyncIterator[FakeOpenAI]:
    """A running fake OpenAI-compatible server; its `base_url` ends in /v1."""
    async with serve_openai() as fake:
        yield fake


@asynccontextmanager
async def client_for(fake: FakeOpenAI, model: str, **options: Any) -> AsyncIterator[OpenAIChatLLM]:
    """The real OpenAI-compatible client for `model`, pointed at the fake server."""
    client = OpenAIChatLLM(
        api_key="sk-test",
        base_url=fake.base_url,
        model=model,
        timeout_s=5,
        backoff_base_s=0.01,
        **options,
    )
    try:
        yield client
    finally:
        await client.aclose()


@pytest_asyncio.fixture
async def llm(openai_server: FakeOpenAI) -> AsyncIterator[OpenAIChatLLM]:
    """The real client on the fake server, for a model that does not reason, quick retries."""
    async with client_for(openai_server, "fake-model", max_retries=2) as client:
        yield client


@pytest_asyncio.fixture
async def reasoning_llm(openai_server: FakeOpenAI) -> AsyncIterator[OpenAIChatLLM]:
    """The real client on the fake server as for gpt-5-mini, a reasoning model."""
    async with client_for(
        openai_server, "gpt-5-mini", reasoning_effort="low", max_retries=0
    ) as client:
        yield client


def prompt_of(body: dict[str, Any]) -> str:
    """The last message of a recorded request: the prompt that carries the article."""
    return str(body["messages"][-1]["content"])


# How the prompts of bot/prompts start, by kind of call: a long article's part (summarize_chunk),
# the merge of its parts' notes (combine), a digest's line (digest_item).
PROMPT_STARTS = {
    "The text below is part": "part",
    "Below are notes on": "merge",
    "Say in one sentence": "line",
}


def prompt_kind(body: dict[str, Any], other: str) -> str:
    """A recorded request's kind of call ("part", "merge", "line"), else `other` (a summary)."""
    prompt = prompt_of(body)
    return next((kind for start, kind in PROMPT_STARTS.items() if prompt.startswith(start)), other)


def all_messages(body: dict[str, Any]) -> str:
    """Every message of a recorded request, joined (system, history, prompt)."""
    return "\n".join(str(message["content"]) for message in body["messages"])

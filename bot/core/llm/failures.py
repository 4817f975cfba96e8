"""The openai library's exceptions as our errors, and whether another attempt may help."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass

import openai

from bot.core.errors import (
    ContextRefusedError,
    LLMAuthError,
    LLMError,
    LLMUnavailableError,
    ModelNotFoundError,
    RateLimitedError,
)

# Wording of "does not fit the context window" across OpenAI, vLLM, llama.cpp, Ollama and proxies.
_CONTEXT_HINTS = (
    "context_length_exceeded",
    "maximum context length",
    "context length",
    "context size",
    "context window",
    "exceed_context_size",
    "too many tokens",
    "string_above_max_length",
)


@dataclass(frozen=True)
class Failure:
    """One failed attempt, translated: the error to raise and whether waiting may help."""

    error: LLMError
    retryable: bool
    retry_after: float | None = None


def translate(exc: openai.OpenAIError, model: str) -> Failure:
    """Map an openai exception to our error and whether a retry could succeed."""
    if isinstance(exc, openai.APITimeoutError):
        # A read timeout comes after the server took the request: it may still be working on
        # it, and bills it either way, so another attempt could pay for the same reply twice.
        sent = type(exc.__cause__).__name__ == "ReadTimeout"
        return Failure(LLMUnavailableError("The LLM timed out"), retryable=not sent)
    if isinstance(exc, openai.APIConnectionError):
        return Failure(LLMUnavailableError("The LLM is unreachable"), retryable=True)
    if isinstance(exc, openai.APIStatusError):
        return _translate_status(exc, model)
    # An error event inside a stream, or a reply that does not parse.
    if _mentions_context(exc):
        return Failure(ContextRefusedError("The prompt exceeds the context"), retryable=False)
    return Failure(LLMError(f"The LLM failed: {type(exc).__name__}"), retryable=False)


def _translate_status(exc: openai.APIStatusError, model: str) -> Failure:
    """Map an HTTP error status; only 408, 429 and 5xx are worth another attempt."""
    status = exc.status_code
    retry_after = _retry_after(exc.response.headers)
    error: LLMError
    if status in (401, 403):
        error = LLMAuthError(f"The LLM refused the API key ({status})", status=status)
    elif status == 404:  # of /chat/completions: the model (OpenAI's code "model_not_found")
        error = ModelNotFoundError(f"The LLM server has no model {model!r}", model=model)
    elif status in (400, 413, 422) and _mentions_context(exc):
        # Only prompts within the bot's budget are sent: the model's window is smaller.
        error = ContextRefusedError(f"The prompt exceeds the context ({status})")
    elif status == 429:
        error = RateLimitedError("The LLM is rate limiting us (429)", retry_after=retry_after)
        # OpenAI says 429 for an exhausted quota too; waiting does not fix that.
        return Failure(error, exc.code != "insufficient_quota", retry_after)
    elif status >= 500 or status == 408:  # 408: the server's own request timeout
        error = LLMUnavailableError(
            f"The LLM answered {status}", status=status, retry_after=retry_after
        )
        return Failure(error, True, retry_after)
    else:
        error = LLMError(f"The LLM answered {status}", status=status)
    return Failure(error, retryable=False)


def _mentions_context(exc: openai.OpenAIError) -> bool:
    code = getattr(exc, "code", None) or ""
    words = f"{code} {getattr(exc, 'message', '') or exc}".lower()
    return any(hint in words for hint in _CONTEXT_HINTS)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from retry-after-ms, or Retry-After in seconds or as an HTTP date."""
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        if value.strip().replace(".", "", 1).isdigit():
            return max(0.0, float(value))
        when = email.utils.parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError):
        return None  # unparseable: fall back to our own backoff
    return max(0.0, when.timestamp() - time.time())

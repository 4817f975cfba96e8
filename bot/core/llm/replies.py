"""What a Chat Completions reply says, read as plain JSON and never trusted to be well formed."""

from __future__ import annotations

from bot.core.errors import LLMError, RefusedError
from bot.core.models import Usage

# One message of the request body, as sent.
ChatMessageParam = dict[str, str]


class ParsedReply:
    """What a reply (whole, or streamed chunk by chunk) says besides its text: model, finish
    reason, refusal, usage. Replies are read as plain JSON, never trusted to be well formed."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.finish_reason: str | None = None
        self.refusal: list[str] = []
        self.usage: Usage | None = None

    def choice(self, data: object) -> dict[str, object] | None:
        """Note the metadata of a reply or chunk and return its first choice, if any."""
        if not isinstance(data, dict):
            raise LLMError("The LLM sent a reply that is not a JSON object")
        self.model = field_text(data.get("model")) or self.model
        self.usage = read_usage(data.get("usage")) or self.usage
        choices = data.get("choices")
        choice = choices[0] if isinstance(choices, list) and choices else None
        if not isinstance(choice, dict):
            return None  # e.g. the final usage-only chunk of a stream
        self.finish_reason = field_text(choice.get("finish_reason")) or self.finish_reason
        return choice

    def delta_text(self, chunk: object) -> str:
        """Note one streamed chunk's metadata and return its text ("" when it has none)."""
        choice = self.choice(chunk)
        delta = choice.get("delta") if choice else None
        if not isinstance(delta, dict):
            return ""
        if refusal := field_text(delta.get("refusal")):
            self.refusal.append(refusal)
        return field_text(delta.get("content"))


def check_refusal(finish_reason: str | None, refusal: str | None) -> None:
    if finish_reason == "content_filter" or refusal:
        raise RefusedError(
            "The LLM refused or its output was filtered", finish_reason=finish_reason
        )


def field_text(value: object) -> str:
    """A string field of a streamed chunk; anything else (null, a stray type) reads as empty."""
    return value if isinstance(value, str) else ""


def read_usage(value: object) -> Usage | None:
    """Usage from a chunk's `usage` object when it carries both token counts."""
    if not isinstance(value, dict):
        return None
    prompt, completion = value.get("prompt_tokens"), value.get("completion_tokens")
    if isinstance(prompt, int) and isinstance(completion, int):
        return Usage(prompt, completion)
    return None


def estimate_usage(params: list[ChatMessageParam], text: str) -> Usage:
    """About four characters a token, the usual rule of thumb, plus a few tokens per message."""
    prompt_chars = sum(len(str(p.get("content") or "")) for p in params)
    return Usage(prompt_chars // 4 + 4 * len(params), max(1, len(text) // 4) if text else 0)

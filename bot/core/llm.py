"""The LLM behind an interface, and its OpenAI-compatible implementation (the only `openai` user)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.models import Usage

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

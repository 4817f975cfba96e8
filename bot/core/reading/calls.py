"""One model call of the reading layer: its text, never empty, with room to think."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.core.errors import ContextTooSmallError, LLMError
from bot.core.llm.client import LLM, ChatMessage, Completion, DeltaCallback
from bot.core.llm.limits import model_limits
from bot.core.llm.tokens import TokenCounter

log = logging.getLogger(__name__)

# Role markers and separators each chat message costs on top of its text.
MESSAGE_OVERHEAD = 8
# A reply that came back empty at its output limit is asked again with this many times the room.
RETRY_ROOM_FACTOR = 4
CUT = "length"  # the finish reason of a reply stopped at its output limit


async def complete_text(
    llm: LLM,
    messages: Sequence[ChatMessage],
    *,
    max_tokens: int,
    counter: TokenCounter,
    context_tokens: int,
    on_delta: DeltaCallback | None = None,
) -> Completion:
    """The reply to `messages`, stripped; `finish_reason` CUT says it stopped at the limit.

    A reasoning model can spend its whole output limit thinking and send no word: that reply
    is asked once more with more room, as far as the model and the context window allow.
    """
    completion = await llm.complete(messages, max_tokens=max_tokens, on_delta=on_delta)
    if not completion.text.strip() and completion.finish_reason == CUT:
        room = await asyncio.to_thread(_room, messages, max_tokens, counter, context_tokens)
        if room > max_tokens:
            log.warning("empty reply at %d output tokens; asking again with %d", max_tokens, room)
            first = completion.usage
            completion = await llm.complete(messages, max_tokens=room, on_delta=on_delta)
            completion = Completion(
                completion.text,
                first + completion.usage,
                completion.model,
                completion.finish_reason,
            )
    text = completion.text.strip()
    if not text:
        raise LLMError(f"the model returned no text (finish reason {completion.finish_reason})")
    return Completion(text, completion.usage, completion.model, completion.finish_reason)


def _room(
    messages: Sequence[ChatMessage], max_tokens: int, counter: TokenCounter, context_tokens: int
) -> int:
    """The output limit of a second attempt: more room, within the model's and the window's."""
    prompt = sum(counter.count(message.content) + MESSAGE_OVERHEAD for message in messages)
    room = min(max_tokens * RETRY_ROOM_FACTOR, context_tokens - prompt)
    output = model_limits(counter.model).output_tokens
    return min(room, output) if output else room


def window_too_small(context_tokens: int) -> ContextTooSmallError:
    """The error for a context window that cannot hold a prompt and its reply at all."""
    return ContextTooSmallError(
        f"a context window of {context_tokens} tokens is too small", context_tokens=context_tokens
    )

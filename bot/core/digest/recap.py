"""A recap of a group's conversation for its digest: topics, their main points, each point
citing the kept messages it comes from (the model's citations checked against the input)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.errors import LLMUnavailableError, RateLimitedError
from bot.core.llm import prompts
from bot.core.llm.client import LLM, ChatMessage
from bot.core.llm.tokens import TokenCounter
from bot.core.reading.calls import complete_text
from bot.core.store.types import KeptMessage

log = logging.getLogger(__name__)

MAX_TOPICS = 4
MAX_POINTS = 4
RECAP_INPUT_TOKENS = 12_000
RECAP_MAX_TOKENS = 1_200


@dataclass(frozen=True)
class RecapPoint:
    """One main point and the ids of the messages it comes from (never empty)."""

    text: str
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class RecapTopic:
    """A topic of the conversation and its main points."""

    title: str
    points: tuple[RecapPoint, ...]


@dataclass(frozen=True)
class Recap:
    """The recap of a period; `no_model` when there was talk to recap but no model to do it."""

    topics: tuple[RecapTopic, ...] = ()
    no_model: bool = False


@dataclass(frozen=True)
class RecapWriter:
    """Asks the model for a recap of kept messages."""

    llm: LLM
    counter: TokenCounter
    context_tokens: int

    async def __call__(self, messages: Sequence[KeptMessage], language: str | None) -> Recap:
        """The recap of `messages`; empty when the model is down or its reply is unusable."""
        budget = min(RECAP_INPUT_TOKENS, self.context_tokens // 2)
        lines = await asyncio.to_thread(self.counter.truncate, _lines(messages), budget)
        prompt = prompts.render(
            "recap",
            messages=lines,
            topics=str(MAX_TOPICS),
            points=str(MAX_POINTS),
            language=prompts.language_rule(language, "in the language of the conversation"),
        )
        chat = [ChatMessage("system", prompts.render("system")), ChatMessage("user", prompt)]
        try:
            completion = await complete_text(
                self.llm,
                chat,
                max_tokens=RECAP_MAX_TOKENS,
                counter=self.counter,
                context_tokens=self.context_tokens,
            )
        except (LLMUnavailableError, RateLimitedError) as exc:
            log.warning("LLM unavailable, the digest goes without its recap: %s", exc)
            return Recap()
        return parse_recap(completion.text, {message.message_id for message in messages})


def _lines(messages: Sequence[KeptMessage]) -> str:
    return "\n".join(
        f"[{m.message_id}] {m.author or 'the group'} ({m.sent_at:%H:%M}): {' '.join(m.text.split())}"
        for m in messages
    )


def parse_recap(reply: str, known_ids: set[int]) -> Recap:
    """The model's JSON reply as a recap: citations of unknown ids are dropped, and so are the
    points left with none and the topics left with no point; an unreadable reply is empty."""
    start, end = reply.find("{"), reply.rfind("}")
    try:
        document = json.loads(reply[start : end + 1]) if 0 <= start < end else {}
    except json.JSONDecodeError:
        log.warning("the model's recap is not JSON; the digest goes without it")
        return Recap()
    topics = []
    for raw in _list(document, "topics")[:MAX_TOPICS]:
        read = (_point(point, known_ids) for point in _list(raw, "points"))
        points = tuple(point for point in read if point)[:MAX_POINTS]
        title = raw.get("title") if isinstance(raw, dict) else None
        if points and isinstance(title, str) and title.strip():
            topics.append(RecapTopic(" ".join(title.split()), points))
    return Recap(tuple(topics))


def _point(raw: Any, known_ids: set[int]) -> RecapPoint | None:
    text = raw.get("text") if isinstance(raw, dict) else None
    ids = tuple(
        dict.fromkeys(i for i in _list(raw, "ids") if isinstance(i, int) and i in known_ids)
    )
    if not isinstance(text, str) or not text.strip() or not ids:
        return None
    return RecapPoint(" ".join(text.split()), ids)


def _list(document: Any, key: str) -> list[Any]:
    value = document.get(key) if isinstance(document, dict) else None
    return value if isinstance(value, list) else []

"""A recap of a group's conversation for its digest: topics, their main points, each point
citing the kept messages it comes from (the model's citations checked against the input).

The call is metered like a summary's, within the asker's budgets (refused before it when they
are spent), and kept in the shared summary cache: the same messages recapped in the same
language again (another /digest of the same period) take no second call.
"""

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
from bot.core.models import Notice, Summary, SummaryLength
from bot.core.reading.cache import CacheKey, SummaryCache
from bot.core.reading.calls import MESSAGE_OVERHEAD, complete_text
from bot.core.store.types import KeptMessage
from bot.core.usage.budgets import (
    Budgets,
    Estimate,
    Refusal,
    Requester,
    note_cache_hit,
    within_budget,
)

log = logging.getLogger(__name__)

MAX_TOPICS = 4
MAX_POINTS = 4
RECAP_INPUT_TOKENS = 12_000
RECAP_MAX_TOKENS = 1_200
CACHE_KIND = "recap"


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
    """The recap of a period; `no_model` when there was talk to recap but no model to do it,
    `refusal` when a budget kept the model from writing it."""

    topics: tuple[RecapTopic, ...] = ()
    no_model: bool = False
    refusal: Refusal | None = None
    messages: tuple[KeptMessage, ...] = ()  # what a recap with topics was made from


@dataclass(frozen=True)
class RecapWriter:
    """Asks the model for a recap of kept messages, through the cache, within budgets."""

    llm: LLM
    counter: TokenCounter
    context_tokens: int
    cache: SummaryCache
    budgets: Budgets | None = None  # None: nothing is metered

    async def __call__(
        self, messages: Sequence[KeptMessage], language: str | None, who: Requester | None = None
    ) -> Recap:
        """The recap of `messages`, within `who`'s budgets; empty when the model is down or its
        reply is unusable."""
        budget = min(RECAP_INPUT_TOKENS, self.context_tokens // 2)
        lines = await asyncio.to_thread(self.counter.truncate, _lines(messages), budget)
        chat = _chat(lines, language)
        known = {message.message_id for message in messages}

        async def expected() -> Estimate:
            assert self.budgets is not None  # asked only when a budget applies
            prompt = await asyncio.to_thread(_prompt_tokens, chat, self.counter)
            return self.budgets.estimate(prompt, RECAP_MAX_TOKENS)

        async with within_budget(self.budgets, self.llm, who, expected) as (llm, refusal):
            if llm is None:
                return Recap(refusal=refusal)
            key = CacheKey.of_text(
                _material(messages, lines), CACHE_KIND, language, prompts.version(), llm.model
            )
            try:
                made = await self.cache.summary(key, lambda: self._write(llm, chat, known))
            except (LLMUnavailableError, RateLimitedError) as exc:
                log.warning("LLM unavailable, the digest goes without its recap: %s", exc)
                return Recap()
        if made.cached:
            await note_cache_hit(self.budgets, who)
        return parse_recap(made.text, known)

    async def _write(self, llm: LLM, chat: list[ChatMessage], known: set[int]) -> Summary:
        """The model's recap, checked, as the cache keeps it (an unusable one is not kept)."""
        completion = await complete_text(
            llm,
            chat,
            max_tokens=RECAP_MAX_TOKENS,
            counter=self.counter,
            context_tokens=self.context_tokens,
        )
        recap = parse_recap(completion.text, known)
        return Summary(
            _document(recap),
            None,
            SummaryLength.SHORT,
            usage=completion.usage,
            model=completion.model,
            notice=None if recap.topics else Notice.MODEL_DOWN,
        )


def _chat(lines: str, language: str | None) -> list[ChatMessage]:
    prompt = prompts.render(
        "recap",
        messages=lines,
        topics=str(MAX_TOPICS),
        points=str(MAX_POINTS),
        language=prompts.language_rule(language, "in the language of the conversation"),
    )
    return [ChatMessage("system", prompts.render("system")), ChatMessage("user", prompt)]


def _prompt_tokens(chat: Sequence[ChatMessage], counter: TokenCounter) -> int:
    return sum(counter.count(message.content) + MESSAGE_OVERHEAD for message in chat)


def _material(messages: Sequence[KeptMessage], lines: str) -> str:
    """What the recap is made of: the topic's messages as the model reads them (ids, authors,
    times and texts); the chat and topic too, so that no chat is given another's recap."""
    first = messages[0]
    return f"{first.chat_id}/{first.thread_id}\n{lines}"


def _document(recap: Recap) -> str:
    """The recap in the model's reply shape, as `parse_recap` reads it back from the cache."""
    topics = [
        {
            "title": topic.title,
            "points": [{"text": p.text, "ids": list(p.message_ids)} for p in topic.points],
        }
        for topic in recap.topics
    ]
    return json.dumps({"topics": topics}, ensure_ascii=False)


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

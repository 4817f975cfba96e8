"""Summarizing an article with the LLM: one call when it fits, map-reduce when it does not.

Without an LLM, or when the LLM stays down after its own retries, the summary is extractive
(the article's key sentences) and says so.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.core.errors import (
    ContextTooLongError,
    EmptyInputError,
    LLMError,
    LLMUnavailableError,
    RateLimitedError,
)
from bot.core.llm import prompts
from bot.core.llm.client import LLM, ChatMessage, DeltaCallback
from bot.core.llm.tokens import TokenCounter
from bot.core.models import Article, Notice, Summary, SummaryFormat, SummaryLength, Usage
from bot.core.reading.extractive import extractive_summary, guess_language

log = logging.getLogger(__name__)
T = TypeVar("T")

# Role markers and separators each chat message costs on top of its text.
MESSAGE_OVERHEAD = 8
# Notes on one part of a long article are short by design; this is their ceiling.
MAP_MAX_TOKENS = 600
# Below this many tokens per part, map-reduce would shred the article: the context is too small.
MIN_CHUNK_TOKENS = 200
# Rounds of merging notes before giving up on a model that keeps writing long notes.
MAX_REDUCE_DEPTH = 4


@dataclass(frozen=True)
class LengthPreset:
    """What a summary length means for the prompt and the output budget."""

    points: str  # how many key points, as the prompt says it
    point_size: str  # how long each point is, as the prompt says it
    sentences: str  # how many sentences a paragraph summary has, as the prompt says it
    max_tokens: int  # output reservation for the final summary
    extractive_points: int  # key sentences when there is no LLM


PRESETS: dict[SummaryLength, LengthPreset] = {
    SummaryLength.SHORT: LengthPreset(
        "3", "each a single short sentence (at most 15 words)", "2 to 3", 500, 3
    ),
    SummaryLength.MEDIUM: LengthPreset(
        "4 to 5", "each one or two sentences (at most 30 words)", "4 to 6", 900, 5
    ),
    SummaryLength.LONG: LengthPreset(
        "6 to 7",
        "each up to three sentences (at most 60 words) with the key details",
        "7 to 10",
        1500,
        7,
    ),
}


@dataclass(frozen=True)
class _Plan:
    """The prompts and token budgets of one summary."""

    system: str
    format: str
    language_rule: str
    direct_budget: int  # article tokens a single call can take
    chunk_budget: int  # article (or notes) tokens per map call
    notes_budget: int  # notes tokens the final combine call can take
    note_tokens: int  # output limit of a map call
    final_tokens: int  # output limit of the final call


async def summarize(
    article: Article,
    llm: LLM | None,
    counter: TokenCounter,
    *,
    length: SummaryLength = SummaryLength.MEDIUM,
    summary_format: SummaryFormat = SummaryFormat.POINTS,
    language: str | None = None,
    context_tokens: int,
    max_article_tokens: int = 300_000,
    on_delta: DeltaCallback | None = None,
) -> Summary:
    """Summarize `article` in `language` (else its own), streaming the final text to `on_delta`.

    The text is the summary alone: `notice` and `coverage` say what a reader must be told
    beside it, which the front end words in the reader's language.
    """
    text = _readable_text(article)
    if not text:
        raise EmptyInputError("the article has no text")
    # Tokenizing and ranking a long article takes CPU seconds: keep them off the event loop.
    covered, coverage = (
        (text, 1.0)
        if counter.surely_fits(text, max_article_tokens)
        else await asyncio.to_thread(_cap, text, counter, max_article_tokens)
    )
    summary_language = language or article.language or guess_language(covered)
    preset = PRESETS[length]

    async def extractive(notice: Notice) -> Summary:
        body = await asyncio.to_thread(
            extractive_summary,
            covered,
            points=preset.extractive_points,
            paragraph=summary_format is SummaryFormat.PARAGRAPH,
        )
        return Summary(body, summary_language, length, notice=notice, coverage=coverage)

    if llm is None:
        return await extractive(Notice.NO_MODEL)
    try:
        run = _Run(llm, counter, _plan(counter, preset, summary_format, language, context_tokens))
        body = await run.summarize(covered, on_delta)
    except (LLMUnavailableError, RateLimitedError) as exc:
        log.warning("LLM unavailable, falling back to an extractive summary: %s", exc)
        return await extractive(Notice.MODEL_DOWN)
    return Summary(
        body,
        summary_language,
        length,
        usage=run.usage,
        model=run.model or llm.model,
        coverage=coverage,
        chunks=max(1, run.map_calls),
    )


def _readable_text(article: Article) -> str:
    """The article text, headed by its title when the text does not start with it."""
    text = article.text.strip()
    title = (article.title or "").strip()
    if title and text and not text.startswith(title):
        return f"{title}\n\n{text}"
    return text


def _cap(text: str, counter: TokenCounter, max_tokens: int) -> tuple[str, float]:
    """The part of `text` within `max_tokens` (cut between paragraphs) and its share of tokens."""
    total = counter.count(text)
    if total <= max_tokens:
        return text, 1.0
    covered = counter.split(text, max_tokens)[0].rstrip()
    return covered, min(counter.count(covered) / total, 0.99)


# Rendering and measuring the prompt templates gives the same plan for the same choices; the
# bot makes thousands of summaries with a handful of them.
@functools.lru_cache(maxsize=128)
def _plan(
    counter: TokenCounter,
    preset: LengthPreset,
    summary_format: SummaryFormat,
    language: str | None,
    context_tokens: int,
) -> _Plan:
    """Budgets: the context window minus prompt overhead minus the reserved output."""
    system = prompts.render("system")
    rule = prompts.language_rule(language, "in the same language as the article")
    if summary_format is SummaryFormat.PARAGRAPH:
        fmt = prompts.render("format_paragraph", sentences=preset.sentences, language=rule)
    else:
        fmt = prompts.render(
            "format", points=preset.points, point_size=preset.point_size, language=rule
        )
    fixed = counter.count(system) + 2 * MESSAGE_OVERHEAD
    many = str(10**6)  # stands in for part numbers when measuring the templates
    direct = fixed + counter.count(prompts.render("summarize", format=fmt, article=""))
    combine = fixed + counter.count(prompts.render("combine", parts=many, format=fmt, notes=""))
    chunk = fixed + counter.count(
        prompts.render("summarize_chunk", part=many, parts=many, language=rule, article="")
    )
    final_tokens = min(counter.output_limit(preset.max_tokens), context_tokens // 4)
    notes_budget = context_tokens - combine - final_tokens
    # Notes of a quarter of the combine budget each guarantee that every merge round shrinks them.
    note_tokens = min(MAP_MAX_TOKENS, notes_budget // 4)
    note_limit = min(counter.output_limit(note_tokens), context_tokens // 4)
    chunk_budget = context_tokens - chunk - note_limit
    if chunk_budget < MIN_CHUNK_TOKENS or note_tokens < 32:
        raise ContextTooLongError(f"a context window of {context_tokens} tokens is too small")
    return _Plan(
        system=system,
        format=fmt,
        language_rule=rule,
        direct_budget=context_tokens - direct - final_tokens,
        chunk_budget=chunk_budget,
        notes_budget=notes_budget,
        note_tokens=note_limit,
        final_tokens=final_tokens,
    )


@dataclass
class _Run:
    """The LLM calls of one summary and what they cost (mutable: concurrent calls add up)."""

    llm: LLM
    counter: TokenCounter
    plan: _Plan
    usage: Usage = field(default_factory=Usage)
    map_calls: int = 0
    model: str | None = None

    async def summarize(self, text: str, on_delta: DeltaCallback | None) -> str:
        """One call when `text` fits, else notes on its parts merged into one summary."""
        plan, counter = self.plan, self.counter
        if counter.surely_fits(text, plan.direct_budget) or (
            await asyncio.to_thread(counter.count, text) <= plan.direct_budget
        ):
            prompt = prompts.render("summarize", format=plan.format, article=text)
            return await self.call(prompt, plan.final_tokens, on_delta)
        notes = await self.map(await asyncio.to_thread(counter.split, text, plan.chunk_budget))
        for _ in range(MAX_REDUCE_DEPTH):
            joined = _join_notes(notes)
            if counter.count(joined) <= plan.notes_budget:
                prompt = prompts.render(
                    "combine", parts=str(len(notes)), format=plan.format, notes=joined
                )
                return await self.call(prompt, plan.final_tokens, on_delta)
            # Too long to merge at once: condense the notes part by part, then try again.
            notes = await self.map(counter.split(joined, plan.chunk_budget))
        raise ContextTooLongError("the notes on the article's parts do not fit the context window")

    async def map(self, chunks: Sequence[str]) -> list[str]:
        """Notes on every chunk, written concurrently (the LLM client bounds the concurrency)."""
        calls = [
            self.call(
                prompts.render(
                    "summarize_chunk",
                    part=str(number),
                    parts=str(len(chunks)),
                    language=self.plan.language_rule,
                    article=chunk.strip(),
                ),
                self.plan.note_tokens,
                None,
            )
            for number, chunk in enumerate(chunks, start=1)
        ]
        self.map_calls += len(calls)
        return await _all(calls)

    async def call(self, prompt: str, max_tokens: int, on_delta: DeltaCallback | None) -> str:
        """One completion of `prompt` under the system prompt; its text, never empty."""
        messages = [ChatMessage("system", self.plan.system), ChatMessage("user", prompt)]
        completion = await self.llm.complete(messages, max_tokens=max_tokens, on_delta=on_delta)
        self.usage += completion.usage
        self.model = completion.model
        text = completion.text.strip()
        if not text:
            raise LLMError(f"the model returned no text (finish reason {completion.finish_reason})")
        return text


def _join_notes(notes: Sequence[str]) -> str:
    return "\n\n".join(f"Part {number}:\n{note}" for number, note in enumerate(notes, start=1))


async def _all(calls: Sequence[Awaitable[T]]) -> list[T]:
    """Await all calls concurrently; on the first failure cancel the rest and re-raise it."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise

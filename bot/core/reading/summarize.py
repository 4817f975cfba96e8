"""Summarizing an article with the LLM: one call when it is short enough, map-reduce beyond.

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
)
from bot.core.llm import prompts
from bot.core.llm.client import LLM, ChatMessage, Completion, DeltaCallback
from bot.core.llm.limits import model_limits
from bot.core.llm.tokens import TokenCounter
from bot.core.models import Article, Notice, Summary, SummaryFormat, SummaryLength, Usage
from bot.core.reading.calls import CUT, MESSAGE_OVERHEAD, complete_text, window_too_small
from bot.core.reading.extractive import extractive_summary, fallback_notice, guess_language

log = logging.getLogger(__name__)
T = TypeVar("T")

# Notes on one part of a long article are short by design; this is their ceiling.
MAP_MAX_TOKENS = 600
# Words per token of the notes' size as the prompt states it (English runs about 0.75).
NOTE_WORDS_PER_TOKEN = 0.6
# Article tokens one call reads at most by default: models read the middle of a very long
# input worst, so a longer article is summarized in parts of this size and the notes merged.
DEFAULT_MAX_CALL_TOKENS = 60_000
# Past this many characters the instructions are repeated after the text, where a model that
# has read that far still sees them.
LONG_INPUT_CHARS = 10_000
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
    notes_rule: str  # what a map call writes, as its prompt says it
    direct_budget: int  # article tokens a single call can take
    chunk_budget: int  # article (or notes) tokens per map call
    notes_budget: int  # notes tokens the final combine call can take
    note_tokens: int  # the size of a note: longer ones are cut to it
    note_limit: int  # output limit of a map call (room to think included)
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
    max_call_tokens: int = DEFAULT_MAX_CALL_TOKENS,
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
            title=article.title,
            paragraph=summary_format is SummaryFormat.PARAGRAPH,
        )
        return Summary(body, summary_language, length, notice=notice, coverage=coverage)

    if llm is None:
        return await extractive(Notice.NO_MODEL)
    try:
        plan = _plan(counter, preset, summary_format, language, context_tokens, max_call_tokens)
        run = _Run(llm, counter, plan, context_tokens)
        body = await run.summarize(covered, on_delta)
    except LLMError as exc:
        if (notice := fallback_notice(exc)) is None:
            raise
        log.warning("LLM failed (%s), falling back to an extractive summary", exc)
        return await extractive(notice)
    return Summary(
        body,
        summary_language,
        length,
        usage=run.usage,
        model=run.model or llm.model,
        coverage=coverage,
        chunks=max(1, run.map_calls),
        cut_short=run.cut_short,
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
    max_call_tokens: int,
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
    limits = model_limits(counter.model)
    final_tokens = min(limits.reply_limit(preset.max_tokens), context_tokens // 4)
    fixed = counter.count(system) + 2 * MESSAGE_OVERHEAD
    combine = fixed + counter.count(_combine_prompt(10**6, fmt, "", long=True))
    notes_budget = context_tokens - combine - final_tokens
    # Notes of a quarter of the combine budget each guarantee that every merge round shrinks them.
    note_tokens = min(MAP_MAX_TOKENS, notes_budget // 4)
    notes_rule = prompts.render(
        "notes_rule", words=str(int(note_tokens * NOTE_WORDS_PER_TOKEN)), language=rule
    )
    note_limit = min(limits.reply_limit(note_tokens), context_tokens // 4)
    chunk = fixed + counter.count(_chunk_prompt(10**6, 10**6, notes_rule, "", long=True))
    chunk_budget = min(max_call_tokens, context_tokens - chunk - note_limit)
    if chunk_budget < MIN_CHUNK_TOKENS or note_tokens < 32:
        raise window_too_small(context_tokens)
    direct = fixed + counter.count(_direct_prompt(fmt, "", long=True))
    return _Plan(
        system=system,
        format=fmt,
        notes_rule=notes_rule,
        direct_budget=min(max_call_tokens, context_tokens - direct - final_tokens),
        chunk_budget=chunk_budget,
        notes_budget=notes_budget,
        note_tokens=note_tokens,
        note_limit=note_limit,
        final_tokens=final_tokens,
    )


def _reminder(material: str, instructions: str, long: bool) -> str:
    """The instructions once more after a long text; nothing after a short one."""
    return prompts.render("reminder", material=material, instructions=instructions) if long else ""


def _direct_prompt(fmt: str, article: str, *, long: bool) -> str:
    reminder = _reminder("article", fmt, long)
    return prompts.render("summarize", format=fmt, article=article, reminder=reminder)


def _combine_prompt(parts: int, fmt: str, notes: str, *, long: bool) -> str:
    reminder = _reminder("notes", fmt, long)
    return prompts.render("combine", parts=str(parts), format=fmt, notes=notes, reminder=reminder)


def _chunk_prompt(part: int, parts: int, rule: str, text: str, *, long: bool) -> str:
    reminder = _reminder("part", rule, long)
    return prompts.render(
        "summarize_chunk",
        part=str(part),
        parts=str(parts),
        rule=rule,
        article=text,
        reminder=reminder,
    )


def _is_long(text: str) -> bool:
    return len(text) > LONG_INPUT_CHARS


@dataclass
class _Run:
    """The LLM calls of one summary and what they cost (mutable: concurrent calls add up)."""

    llm: LLM
    counter: TokenCounter
    plan: _Plan
    context_tokens: int
    usage: Usage = field(default_factory=Usage)
    map_calls: int = 0
    model: str | None = None
    cut_short: bool = False  # the final reply stopped at its output limit

    async def summarize(self, text: str, on_delta: DeltaCallback | None) -> str:
        """One call when `text` is short enough, else notes on its parts merged into one."""
        plan, counter = self.plan, self.counter
        if counter.surely_fits(text, plan.direct_budget) or (
            await asyncio.to_thread(counter.count, text) <= plan.direct_budget
        ):
            prompt = _direct_prompt(plan.format, text, long=_is_long(text))
            return await self.final(prompt, on_delta)
        notes = await self.map(await asyncio.to_thread(counter.split, text, plan.chunk_budget))
        for _ in range(MAX_REDUCE_DEPTH):
            joined = _join_notes(notes)
            if counter.count(joined) <= plan.notes_budget:
                prompt = _combine_prompt(len(notes), plan.format, joined, long=_is_long(joined))
                return await self.final(prompt, on_delta)
            # Too long to merge at once: condense the notes part by part, then try again.
            notes = await self.map(counter.split(joined, plan.chunk_budget))
        raise ContextTooLongError("the notes on the article's parts do not fit the context window")

    async def map(self, chunks: Sequence[str]) -> list[str]:
        """Notes on every chunk, written concurrently (the LLM client bounds the concurrency)."""
        rule, parts = self.plan.notes_rule, len(chunks)
        calls = [
            self.note(_chunk_prompt(number, parts, rule, chunk.strip(), long=_is_long(chunk)))
            for number, chunk in enumerate(chunks, start=1)
        ]
        self.map_calls += len(calls)
        return await _all(calls)

    async def note(self, prompt: str) -> str:
        """Notes on one part, cut to their size so that every merge round shrinks."""
        completion = await self.call(prompt, self.plan.note_limit, None)
        return self.counter.truncate(completion.text, self.plan.note_tokens)

    async def final(self, prompt: str, on_delta: DeltaCallback | None) -> str:
        """The summary itself, noting whether it stopped at its output limit."""
        completion = await self.call(prompt, self.plan.final_tokens, on_delta)
        self.cut_short = completion.finish_reason == CUT
        return completion.text

    async def call(
        self, prompt: str, max_tokens: int, on_delta: DeltaCallback | None
    ) -> Completion:
        """One completion of `prompt` under the system prompt, its text never empty."""
        messages = [ChatMessage("system", self.plan.system), ChatMessage("user", prompt)]
        completion = await complete_text(
            self.llm,
            messages,
            max_tokens=max_tokens,
            counter=self.counter,
            context_tokens=self.context_tokens,
            on_delta=on_delta,
        )
        self.usage += completion.usage
        self.model = completion.model
        return completion


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

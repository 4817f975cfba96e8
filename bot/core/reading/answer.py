"""Answering follow-up questions grounded in the article (BM25 passages for long articles)."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence

from bot.core.errors import (
    ContextTooLongError,
    EmptyInputError,
    EmptyQuestionError,
    LLMError,
)
from bot.core.llm import prompts
from bot.core.llm.client import LLM, ChatMessage, DeltaCallback
from bot.core.llm.limits import model_limits
from bot.core.llm.tokens import TokenCounter
from bot.core.models import Answer, Article, ChatTurn, Notice
from bot.core.reading.calls import CUT, MESSAGE_OVERHEAD, complete_text, window_too_small
from bot.core.reading.extractive import (
    BM25,
    extractive_answer,
    fallback_notice,
    guess_language,
    terms,
)

log = logging.getLogger(__name__)

ANSWER_MAX_TOKENS = 800
HISTORY_SHARE = 0.25  # at most this share of the context goes to earlier turns
SUMMARY_SHARE = 0.125  # and at most this share to the earlier summary
PASSAGE_TOKENS = 250  # retrieval unit: a paragraph, or a window of its sentences
MIN_ARTICLE_TOKENS = 200  # less room than this for the article makes a grounded answer impossible
GAP = "[…]"
WHOLE_SCOPE = "the whole article"
EXCERPT_SCOPE = (
    "excerpts of a long article, chosen as the most relevant to the question and given in "
    f"article order; {GAP} marks text left out"
)
NO_SUMMARY = "(none)"


async def answer(
    article: Article,
    question: str,
    llm: LLM | None,
    counter: TokenCounter,
    *,
    history: Sequence[ChatTurn] = (),
    summary: str | None = None,
    context_tokens: int,
    language: str | None = None,
    on_delta: DeltaCallback | None = None,
) -> Answer:
    """Answer `question` from `article`, streaming to `on_delta`; extractive without an LLM."""
    question = question.strip()
    text = article.text.strip()
    if not question:
        raise EmptyQuestionError("the question is empty")
    if not text:
        raise EmptyInputError("the article has no text")
    # The language the asker reads: their question's script gives it away best.
    reader_language = guess_language(question) or language or article.language

    async def extractive(notice: Notice) -> Answer:
        # Ranking a long article's sentences takes CPU time: keep it off the event loop.
        quoted = await asyncio.to_thread(extractive_answer, text, question)
        return Answer(quoted, notice=notice, covered=bool(quoted), language=reader_language)

    if llm is None:
        return await extractive(Notice.NO_MODEL)
    try:
        return await _ask(
            text,
            question,
            llm,
            counter,
            history=history,
            summary=summary,
            context_tokens=context_tokens,
            language=language,
            on_delta=on_delta,
        )
    except LLMError as exc:
        if (notice := fallback_notice(exc)) is None:
            raise
        log.warning("LLM failed (%s), answering extractively", exc)
        return await extractive(notice)


async def _ask(
    text: str,
    question: str,
    llm: LLM,
    counter: TokenCounter,
    *,
    history: Sequence[ChatTurn],
    summary: str | None,
    context_tokens: int,
    language: str | None,
    on_delta: DeltaCallback | None,
) -> Answer:
    system = prompts.render("system")
    # Answers follow the question's language; a configured language only settles doubt.
    rule = "in the language of the question"
    if language:
        rule += f" (if that is unclear, {prompts.language_rule(language, rule)})"
    summary_text = (
        counter.truncate(summary.strip(), int(context_tokens * SUMMARY_SHARE))
        if summary
        else NO_SUMMARY
    )
    output_tokens = min(
        model_limits(counter.model).reply_limit(ANSWER_MAX_TOKENS), context_tokens // 4
    )

    def context(scope: str, body: str) -> str:
        return prompts.render("answer_context", scope=scope, article=body, summary=summary_text)

    prompt = prompts.render("answer", question=question, language=rule)
    fixed = counter.count(system) + counter.count(context(EXCERPT_SCOPE, "")) + 2 * MESSAGE_OVERHEAD
    if context_tokens - fixed - output_tokens < MIN_ARTICLE_TOKENS:
        raise window_too_small(context_tokens)
    turns = _recent_turns(history, counter, int(context_tokens * HISTORY_SHARE))
    spent = (
        fixed + output_tokens + counter.count(prompt) + sum(_turn_cost(t, counter) for t in turns)
    )
    budget = context_tokens - spent
    if budget < MIN_ARTICLE_TOKENS:
        raise ContextTooLongError("the question and conversation leave no room for the article")
    if counter.surely_fits(text, budget) or await asyncio.to_thread(counter.count, text) <= budget:
        material = context(WHOLE_SCOPE, text)
    else:
        # The previous question helps follow-ups like "and what did he say next?".
        earlier = [turn.content for turn in turns if turn.role == "user"][-1:]
        query = " ".join([*earlier, question])
        excerpts = await asyncio.to_thread(relevant_passages, text, query, counter, budget)
        material = context(EXCERPT_SCOPE, excerpts)
    completion = await complete_text(
        llm,
        _messages(system, material, turns, prompt),
        max_tokens=output_tokens,
        counter=counter,
        context_tokens=context_tokens,
        on_delta=on_delta,
    )
    return Answer(
        completion.text,
        usage=completion.usage,
        model=completion.model,
        cut_short=completion.finish_reason == CUT,
    )


def _messages(
    system: str, material: str, turns: Sequence[ChatTurn], prompt: str
) -> list[ChatMessage]:
    """The article first, then the conversation, then the question.

    The article leads the first user message, so the long part of the prompt is the same
    from one follow-up to the next and providers can serve it from their prompt cache.
    """
    chat = [ChatMessage(turn.role, turn.content) for turn in turns]
    chat.append(ChatMessage("user", prompt))
    chat[0] = ChatMessage("user", f"{material}\n\n{chat[0].content}")
    return [ChatMessage("system", system), *chat]


def _turn_cost(turn: ChatTurn, counter: TokenCounter) -> int:
    return counter.count(turn.content) + MESSAGE_OVERHEAD


def _recent_turns(
    history: Sequence[ChatTurn], counter: TokenCounter, budget: int
) -> list[ChatTurn]:
    """The most recent turns that fit `budget`, starting with a user turn."""
    kept: list[ChatTurn] = []
    used = 0
    for turn in reversed(history):
        used += _turn_cost(turn, counter)
        if used > budget:
            break
        kept.append(turn)
    kept.reverse()
    # Chat templates of some servers insist that the conversation starts with the user.
    while kept and kept[0].role != "user":
        kept.pop(0)
    return kept


def passages(text: str, counter: TokenCounter) -> list[str]:
    """The article as retrieval units: paragraphs, long ones cut into sentence windows."""
    units: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        units.extend(
            p.strip() for p in counter.split(paragraph.strip(), PASSAGE_TOKENS) if p.strip()
        )
    return units


def relevant_passages(text: str, query: str, counter: TokenCounter, budget: int) -> str:
    """The passages of `text` that best match `query` (BM25) within `budget`, in article order.

    Passages are taken best first until the budget is full; passages that match nothing fill
    any room left, earliest first, since the start of an article usually frames the rest.
    """
    units = passages(text, counter)
    scores = BM25([terms(unit) for unit in units]).scores(terms(query))
    gap_cost = counter.count(f"\n\n{GAP}\n\n")
    chosen: list[int] = []
    used = 0
    for index in sorted(range(len(units)), key=lambda i: (-scores[i], i)):
        cost = counter.count(units[index]) + gap_cost
        if used + cost <= budget:
            chosen.append(index)
            used += cost
    chosen.sort()
    pieces: list[str] = [GAP] if chosen and chosen[0] > 0 else []
    for position, index in enumerate(chosen):
        if position and index != chosen[position - 1] + 1:
            pieces.append(GAP)
        pieces.append(units[index])
    if chosen and chosen[-1] < len(units) - 1:
        pieces.append(GAP)
    return "\n\n".join(pieces)

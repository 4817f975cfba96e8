"""One line about an article for a digest: the model's sentence, or its gist sentence without one."""

from __future__ import annotations

import asyncio
import logging

from bot.core.errors import EmptyInputError, LLMUnavailableError, RateLimitedError
from bot.core.llm import prompts
from bot.core.llm.client import LLM, ChatMessage
from bot.core.llm.tokens import TokenCounter
from bot.core.models import Article, Notice, Summary, SummaryLength
from bot.core.reading.calls import complete_text
from bot.core.reading.estimate import PROMPT_OVERHEAD
from bot.core.reading.extractive import key_sentences, prose_sentences, split_sentences

log = logging.getLogger(__name__)

# Enough of an article to say what it is about; a digest reads hundreds of them.
LINE_ARTICLE_TOKENS = 3_000
LINE_MAX_TOKENS = 120


def digest_tokens(count: int, context_tokens: int) -> tuple[int, int]:
    """Prompt and completion tokens of `count` lines at most: each reads as much of its
    article as a line may, and writes one sentence (the articles are not read yet)."""
    read = min(LINE_ARTICLE_TOKENS, context_tokens // 2)
    return count * (read + PROMPT_OVERHEAD), count * LINE_MAX_TOKENS


async def one_line(
    article: Article,
    llm: LLM | None,
    counter: TokenCounter,
    *,
    language: str | None,
    context_tokens: int,
) -> Summary:
    """A one-sentence summary of `article`; extractive (and marked so) without the model."""
    if llm is None:
        return await _extractive(article, Notice.NO_MODEL)
    budget = min(LINE_ARTICLE_TOKENS, context_tokens // 2)
    text = await asyncio.to_thread(counter.truncate, article.text, budget)
    prompt = prompts.render(
        "digest_item",
        article=text,
        language=prompts.language_rule(language, "in the same language as the article"),
    )
    messages = [
        ChatMessage("system", prompts.render("system")),
        ChatMessage("user", prompt),
    ]
    try:
        completion = await complete_text(
            llm,
            messages,
            max_tokens=LINE_MAX_TOKENS,
            counter=counter,
            context_tokens=context_tokens,
        )
    except (LLMUnavailableError, RateLimitedError) as exc:
        log.warning("LLM unavailable, a digest line falls back to a key sentence: %s", exc)
        return await _extractive(article, Notice.MODEL_DOWN)
    line = " ".join(completion.text.split())
    return Summary(
        line, language, SummaryLength.SHORT, usage=completion.usage, model=completion.model
    )


async def _extractive(article: Article, notice: Notice) -> Summary:
    sentence = await asyncio.to_thread(_key_sentence, article)
    return Summary(sentence, article.language, SummaryLength.SHORT, notice=notice)


def _key_sentence(article: Article) -> str:
    """The article's most central sentence (its start when nothing reads as prose)."""
    sentences = key_sentences(prose_sentences(article.text), 1) or split_sentences(article.text)
    if not sentences:
        raise EmptyInputError("no sentences to summarize")
    return sentences[0]

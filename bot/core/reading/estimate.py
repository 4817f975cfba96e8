"""What a summary or an answer will probably send to and receive from the model, in tokens.

Budgets refuse a request whose estimate exceeds what remains, and a long article asks for
confirmation above a threshold, both before any call; so the estimate errs on the high side.
"""

from __future__ import annotations

import math

from bot.core.llm.tokens import TokenCounter
from bot.core.models import Article, SummaryLength
from bot.core.reading.answer import ANSWER_MAX_TOKENS
from bot.core.reading.summarize import MAP_MAX_TOKENS, PRESETS

# Instructions, titles and role markers around the text of one call.
PROMPT_OVERHEAD = 600


def summary_tokens(
    article: Article,
    counter: TokenCounter,
    length: SummaryLength,
    *,
    max_article_tokens: int,
    call_tokens: int,
) -> tuple[int, int]:
    """Prompt and completion tokens of a summary: one call, or notes on parts and a merge."""
    tokens = min(counter.count(article.text), max_article_tokens)
    final = PRESETS[length].max_tokens
    if tokens <= call_tokens:
        return tokens + PROMPT_OVERHEAD, final
    parts = math.ceil(tokens / call_tokens)
    notes = parts * MAP_MAX_TOKENS
    return tokens + (parts + 1) * PROMPT_OVERHEAD + notes, notes + final


def answer_tokens(article: Article, counter: TokenCounter, context_tokens: int) -> tuple[int, int]:
    """Prompt and completion tokens of an answer: the article up to the context window."""
    room = max(0, context_tokens - ANSWER_MAX_TOKENS)
    return min(counter.count(article.text) + PROMPT_OVERHEAD, room), ANSWER_MAX_TOKENS

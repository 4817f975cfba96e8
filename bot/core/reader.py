"""The reading service: from what a chat sends to stored articles, summaries and answers.

It ties the core together for any front end (the Telegram bot today) and knows nothing of
Telegram: chats and messages are plain integer ids here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.config import Settings
from bot.core.answer import answer as answer_question
from bot.core.fetch import FetchPolicy, SafeFetcher
from bot.core.llm import LLM, DeltaCallback, create_llm
from bot.core.models import Answer, Article, ChatTurn, Summary, SummaryStyle
from bot.core.sources import article_from_document, article_from_paste, article_from_url
from bot.core.store import Store, StoredArticle, UserPrefs, open_store
from bot.core.summarize import summarize
from bot.core.tokens import TokenCounter
from bot.core.workers import ExtractionPool


@dataclass(frozen=True)
class SummaryResult:
    """A summary and the stored article it belongs to."""

    article_id: int
    summary: Summary


@dataclass
class Reader:
    """Reads, summarizes and answers for chats, remembering everything in the store."""

    settings: Settings
    fetcher: SafeFetcher
    llm: LLM | None
    counter: TokenCounter
    store: Store
    extraction: ExtractionPool

    @classmethod
    async def open(cls, settings: Settings) -> Reader:
        """Open every client the service needs (the store runs its migrations) and start the
        extraction workers."""
        extraction = ExtractionPool(settings.extract_workers)
        store = await open_store(settings.database_url)
        try:
            counter, _ = await asyncio.gather(
                asyncio.to_thread(TokenCounter, settings.llm_model), extraction.start()
            )
        except BaseException:
            await asyncio.gather(extraction.aclose(), store.close())
            raise
        return cls(
            settings=settings,
            fetcher=SafeFetcher(FetchPolicy.from_settings(settings)),
            llm=create_llm(settings),
            counter=counter,
            store=store,
            extraction=extraction,
        )

    async def aclose(self) -> None:
        """Close every client; safe to call once at shutdown."""
        await self.fetcher.aclose()
        if self.llm is not None:
            await self.llm.aclose()
        await self.store.close()
        await self.extraction.aclose()

    async def read_url(self, url: str) -> Article:
        """Fetch and extract the article behind a link."""
        return await article_from_url(url, self.fetcher, self.extraction)

    async def read_document(self, data: bytes, filename: str, mime_type: str | None) -> Article:
        """Extract the article from an uploaded document (in an extraction worker)."""
        return await self.extraction.run(article_from_document, data, filename, mime_type)

    async def read_text(self, text: str) -> Article:
        """Turn pasted text into an article, refusing text too short to summarize."""
        return await self.extraction.run(article_from_paste, text)

    async def summarize(
        self,
        chat_id: int,
        article: Article,
        source: str,
        prefs: UserPrefs,
        on_delta: DeltaCallback | None = None,
    ) -> SummaryResult:
        """Store the article, summarize it per the user's preferences, store the summary."""
        article_id = await self.store.save_article(chat_id, article, source)
        summary = await summarize(
            article,
            self.llm,
            self.counter,
            length=prefs.length or self.settings.summary_length,
            style=_style(prefs.format) or self.settings.summary_format,
            language=prefs.language or self.settings.summary_language,
            context_tokens=self.settings.context_tokens,
            max_article_tokens=self.settings.max_article_tokens,
            on_delta=on_delta,
        )
        await self.store.set_summary(article_id, summary.text)
        return SummaryResult(article_id, summary)

    async def ask(
        self,
        chat_id: int,
        stored: StoredArticle,
        question: str,
        prefs: UserPrefs,
        on_delta: DeltaCallback | None = None,
    ) -> Answer:
        """Answer a follow-up question about a stored article and remember the exchange."""
        history = await self.store.history(chat_id, stored.id)
        result = await answer_question(
            stored.article,
            question,
            self.llm,
            self.counter,
            history=history,
            summary=stored.summary,
            context_tokens=self.settings.context_tokens,
            language=prefs.language or self.settings.summary_language,
            on_delta=on_delta,
        )
        exchange = [ChatTurn("user", question), ChatTurn("assistant", result.text)]
        await self.store.add_turns(chat_id, stored.id, exchange)
        return result


def _style(chosen: str | None) -> SummaryStyle | None:
    """The user's stored format choice, ignoring values this version does not know."""
    try:
        return SummaryStyle(chosen) if chosen else None
    except ValueError:
        return None

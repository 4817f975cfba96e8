"""The one service every front end calls: reading, summarizing, answering, and what chats keep.

The Telegram bot and the command line go through it and nowhere else, so whatever wraps it
(access checks, budgets, metrics) sees every request. It knows nothing of Telegram: chats,
users and messages are plain integer ids here, and results are values and codes that the front
end words for its readers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from bot.core.digest.chats import ChatDigests
from bot.core.digest.lines import digest_tokens, one_line
from bot.core.digest.previews import PreviewDigests
from bot.core.digest.recap import RecapWriter
from bot.core.extract.workers import ExtractionPool
from bot.core.fetch.fetcher import SafeFetcher
from bot.core.follow.follows import Follows
from bot.core.follow.parts import FollowConfig, follow_parts
from bot.core.follow.poller import ChannelPoller
from bot.core.llm import prompts
from bot.core.llm.client import LLM, DeltaCallback, create_llm
from bot.core.llm.tokens import TokenCounter
from bot.core.memory import ChatMemory
from bot.core.models import (
    Answer,
    Article,
    ChatTurn,
    Notice,
    Summary,
)
from bot.core.reading import estimate
from bot.core.reading.answer import answer as answer_question
from bot.core.reading.cache import CacheKey, SummaryCache
from bot.core.reading.sources import (
    article_from_document,
    article_from_paste,
    article_from_url,
    load_article,
)
from bot.core.reading.summarize import summarize
from bot.core.service_config import ReadingDefaults, ServiceConfig
from bot.core.store.clock import now
from bot.core.store.open import open_store
from bot.core.store.types import Store, StoredArticle, UserPrefs
from bot.core.usage.budgets import (
    Budgets,
    Estimate,
    Refusal,
    Requester,
    note_cache_hit,
    within_budget,
)

# What the conversation history keeps of an answer that found nothing (the model reads it).
NOT_COVERED = "(The article does not cover this.)"


@dataclass(frozen=True)
class SummaryResult:
    """A summary and the stored article it belongs to."""

    article_id: int
    summary: Summary
    refusal: Refusal | None = None  # the budget that sent it to the extractive mode


@dataclass(frozen=True)
class AnswerResult:
    """An answer, and the budget that sent it to the extractive mode, if any."""

    answer: Answer
    refusal: Refusal | None = None


@dataclass
class Service(ChatMemory):
    """Reads, summarizes and answers; for chats it remembers everything in the store."""

    defaults: ReadingDefaults
    fetcher: SafeFetcher
    llm: LLM | None
    counter: TokenCounter
    extraction: ExtractionPool
    store: Store | None
    cache: SummaryCache
    budgets: Budgets | None = None  # with a store: every call is recorded against a budget
    retention: timedelta = timedelta(days=30)
    digests: ChatDigests = field(init=False)  # what chats share, kept for their digests
    follow: FollowConfig = field(default_factory=FollowConfig)
    clock: Callable[[], datetime] = now  # when follows are polled
    follows: Follows = field(init=False)  # with a store: the public channels users follow
    poller: ChannelPoller = field(init=False)
    previews: PreviewDigests = field(init=False)  # any public channel's digest, read on demand

    def __post_init__(self) -> None:
        self.previews = PreviewDigests(
            self.fetcher, self.follow.base_url, self.read_url, self.read_text, self.digest_lines
        )
        if self.store is not None:
            llm, context = self.llm, self.defaults.context_tokens
            recaps = (
                RecapWriter(llm, self.counter, context, self.cache, self.budgets) if llm else None
            )
            self.digests = ChatDigests(
                self.store,
                self.read_url,
                self.digest_lines,
                self.read_text,
                self.retention,
                recaps,
            )
            self.follows, self.poller = follow_parts(
                self.store, self.fetcher, self.follow, self.clock
            )

    @classmethod
    async def open(cls, config: ServiceConfig) -> Service:
        """Open every client (the store runs its migrations) and start the extraction workers."""
        extraction = ExtractionPool(
            config.extract_workers, config.extract_limits, fork=config.extract_fork
        )
        if config.extract_fork:
            await extraction.start()  # before the thread below: a fork copies no thread
        store = await open_store(config.database_url) if config.database_url else None
        try:
            counter, _ = await asyncio.gather(
                asyncio.to_thread(TokenCounter, config.model), extraction.start()
            )
        except BaseException:
            await extraction.aclose()
            if store is not None:
                await store.close()
            raise
        return cls(
            defaults=config.reading,
            fetcher=SafeFetcher(config.fetch),
            llm=create_llm(config.llm),
            counter=counter,
            extraction=extraction,
            store=store,
            budgets=Budgets(store, config.budgets, config.clock) if store else None,
            cache=SummaryCache(store, config.summary_cache_ttl),
            retention=config.digest_retention,
            follow=config.follow,
            clock=config.clock,
        )

    async def aclose(self) -> None:
        """Close every client; safe to call once at shutdown."""
        await self.fetcher.aclose()
        if self.llm is not None:
            await self.llm.aclose()
        if self.store is not None:
            await self.store.close()
        await self.extraction.aclose()

    # --- reading ---------------------------------------------------------------------------------

    async def read_url(self, url: str) -> Article:
        """Fetch and extract the article behind a link."""
        return await article_from_url(url, self.fetcher, self.extraction)

    async def read_document(self, data: bytes, filename: str, mime_type: str | None) -> Article:
        """Extract the article from an uploaded document (in an extraction worker)."""
        return await self.extraction.run(article_from_document, data, filename, mime_type)

    async def read_text(self, text: str) -> Article:
        """Turn pasted text into an article, refusing text too short to summarize."""
        return await self.extraction.run(article_from_paste, text)

    async def read_source(self, source: str, stdin_data: bytes | None = None) -> Article:
        """A command line's SOURCE: a link, a file path, or "-" for `stdin_data`."""
        return await load_article(source, self.fetcher, self.extraction, stdin_data)

    # --- summaries and answers, remembering nothing ------------------------------------------------

    async def summarize(
        self, article: Article, prefs: UserPrefs, on_delta: DeltaCallback | None = None
    ) -> Summary:
        """Summarize per `prefs`, the defaults filling in what was not chosen."""
        return await self._summarize(article, prefs, on_delta, self.llm)

    async def _summarize(
        self, article: Article, prefs: UserPrefs, on_delta: DeltaCallback | None, llm: LLM | None
    ) -> Summary:
        """A summary made before with the same choices (for any chat) comes from the cache."""
        choices = self.defaults.choices(prefs)

        async def make() -> Summary:
            return await summarize(
                article,
                llm,
                self.counter,
                length=choices.length,
                summary_format=choices.format,
                language=choices.language,
                context_tokens=self.defaults.context_tokens,
                max_article_tokens=self.defaults.max_article_tokens,
                max_call_tokens=self.defaults.max_call_tokens,
                on_delta=on_delta,
            )

        return await self._cached(article, choices.kind, choices.language, llm, make)

    async def cached_summary(self, url: str, prefs: UserPrefs) -> Summary | None:
        """The summary the cache holds for a link with these choices, before reading it."""
        choices = self.defaults.choices(prefs)
        key = self.llm and CacheKey.of_url(
            url, choices.kind, choices.language, prompts.version(), self.llm.model
        )
        return await self.cache.latest(key) if key else None

    async def _cached(
        self,
        article: Article,
        kind: str,
        language: str | None,
        llm: LLM | None,
        make: Callable[[], Awaitable[Summary]],
    ) -> Summary:
        """`make`'s summary through the cache every chat shares, keyed by what shapes it."""
        if llm is None:  # extractive summaries are cheap and never cached
            return await make()
        key = CacheKey.of(article, kind, language, prompts.version(), llm.model)
        return await self.cache.summary(key, make)

    async def answer(
        self,
        article: Article,
        question: str,
        prefs: UserPrefs,
        on_delta: DeltaCallback | None = None,
        *,
        history: Sequence[ChatTurn] = (),
        summary: str | None = None,
    ) -> Answer:
        """Answer a question from the article alone (and the conversation so far)."""
        return await self._answer(article, question, prefs, on_delta, history, summary, self.llm)

    async def _answer(
        self,
        article: Article,
        question: str,
        prefs: UserPrefs,
        on_delta: DeltaCallback | None,
        history: Sequence[ChatTurn],
        summary: str | None,
        llm: LLM | None,
    ) -> Answer:
        return await answer_question(
            article,
            question,
            llm,
            self.counter,
            history=history,
            summary=summary,
            context_tokens=self.defaults.context_tokens,
            language=self.defaults.choices(prefs).language,
            on_delta=on_delta,
        )

    # --- chats -------------------------------------------------------------------------------------

    async def save_article(
        self, chat_id: int, article: Article, source: str, *, thread_id: int = 0
    ) -> int:
        """Store the article as the topic's latest (to summarize once confirmed); its id."""
        return await self._store().save_article(chat_id, article, source, thread_id)

    async def summarize_saved(
        self,
        article_id: int,
        article: Article,
        prefs: UserPrefs,
        on_delta: DeltaCallback | None = None,
        who: Requester | None = None,
    ) -> SummaryResult:
        """Summarize a stored article, within `who`'s budgets, and store the summary."""
        summary, refusal = await self.summarize_for(article, prefs, on_delta, who)
        await self._store().set_summary(article_id, summary.text)
        return SummaryResult(article_id, summary, refusal)

    async def summarize_for(
        self,
        article: Article,
        prefs: UserPrefs,
        on_delta: DeltaCallback | None = None,
        who: Requester | None = None,
    ) -> tuple[Summary, Refusal | None]:
        """Summarize within `who`'s budgets, storing nothing; the refusal that made it extractive."""
        expected = partial(self.summary_estimate, article, prefs)
        async with self._within_budget(who, expected) as (llm, refusal):
            summary = await self._summarize(article, prefs, on_delta, llm)
        if summary.cached:
            await self.note_cache_hit(who)
        if refusal is not None:
            summary = replace(summary, notice=Notice.BUDGET)
        return summary, refusal

    async def note_cache_hit(self, who: Requester | None) -> None:
        """Count a summary the shared cache gave `who`, for the statistics."""
        await note_cache_hit(self.budgets, who)

    async def ask_in_chat(
        self,
        chat_id: int,
        stored: StoredArticle,
        question: str,
        prefs: UserPrefs,
        on_delta: DeltaCallback | None = None,
        who: Requester | None = None,
    ) -> AnswerResult:
        """Answer a follow-up question about a stored article and remember the exchange."""
        store = self._store()
        history = await store.history(chat_id, stored.id)
        async with self._within_budget(who, lambda: self._answer_estimate(stored)) as (
            llm,
            refusal,
        ):
            result = await self._answer(
                stored.article, question, prefs, on_delta, history, stored.summary, llm
            )
        if refusal is not None:
            result = replace(result, notice=Notice.BUDGET)
        reply = result.text if result.covered else NOT_COVERED
        await store.add_turns(
            chat_id, stored.id, [ChatTurn("user", question), ChatTurn("assistant", reply)]
        )
        return AnswerResult(result, refusal)

    async def note_outcome(self, who: Requester | None, *, failed: bool) -> None:
        """Count a chat's summary or answer as done or failed, for the statistics."""
        if who is not None and self.budgets is not None:
            await self.budgets.note(who, "error" if failed else "request")

    async def summary_estimate(self, article: Article, prefs: UserPrefs) -> Estimate:
        """What summarizing the article will probably cost (tokens and USD)."""
        defaults = self.defaults
        prompt, completion = await asyncio.to_thread(
            estimate.summary_tokens,
            article,
            self.counter,
            defaults.choices(prefs).length,
            max_article_tokens=defaults.max_article_tokens,
            call_tokens=min(defaults.max_call_tokens, defaults.context_tokens // 2),
        )
        return self._budgets().estimate(prompt, completion)

    async def _answer_estimate(self, stored: StoredArticle) -> Estimate:
        prompt, completion = await asyncio.to_thread(
            estimate.answer_tokens, stored.article, self.counter, self.defaults.context_tokens
        )
        return self._budgets().estimate(prompt, completion)

    def _within_budget(
        self, who: Requester | None, expected: Callable[[], Awaitable[Estimate]]
    ) -> AbstractAsyncContextManager[tuple[LLM | None, Refusal | None]]:
        """The model, metered for `who` while its estimate is held; none (extractive) when a
        budget refuses the request."""
        return within_budget(self.budgets, self.llm, who, expected)

    def _budgets(self) -> Budgets:
        if self.budgets is None:
            raise RuntimeError("this service was opened without a database")
        return self.budgets

    # --- digests ------------------------------------------------------------------------------

    @asynccontextmanager
    async def digest_lines(
        self, count: int, language: str | None, who: Requester | None = None
    ) -> AsyncIterator[Callable[[Article], Awaitable[Summary]]]:
        """Articles in one line for a digest of `count`, shared through the cache with every
        chat; one budget check for the whole digest (every line extractive, and marked so, when
        it refuses), each call metered for `who` like a summary's."""
        language = language or self.defaults.language
        context_tokens = self.defaults.context_tokens

        async def expected() -> Estimate:
            return self._budgets().estimate(*digest_tokens(count, context_tokens))

        async with self._within_budget(who, expected) as (llm, refusal):

            async def line(article: Article) -> Summary:
                async def make() -> Summary:
                    return await one_line(
                        article, llm, self.counter, language=language, context_tokens=context_tokens
                    )

                made = await self._cached(article, "digest", language, llm, make)
                if made.cached:
                    await self.note_cache_hit(who)
                return made if refusal is None else replace(made, notice=Notice.BUDGET)

            yield line

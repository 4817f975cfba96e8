"""What the service is opened with: the reading defaults and every client's configuration,
built from the settings by the edge (the service knows no settings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.extract.workers import JobLimits
from bot.core.fetch.fetcher import FetchPolicy
from bot.core.follow.parts import FollowConfig
from bot.core.llm.client import LLMConfig
from bot.core.models import SummaryFormat, SummaryLength
from bot.core.reading.summarize import DEFAULT_MAX_CALL_TOKENS
from bot.core.store import clock
from bot.core.store.types import UserPrefs
from bot.core.usage.budgets import BudgetConfig, Clock


@dataclass(frozen=True)
class ReadingDefaults:
    """The summary a reader gets before choosing anything, and the model's token budgets."""

    length: SummaryLength = SummaryLength.MEDIUM
    format: SummaryFormat = SummaryFormat.POINTS
    language: str | None = None  # None: the article's own
    context_tokens: int = 8_192
    max_article_tokens: int = 300_000
    max_call_tokens: int = DEFAULT_MAX_CALL_TOKENS  # article tokens one summary call reads

    def choices(self, prefs: UserPrefs) -> SummaryChoices:
        """The reader's choices, these defaults filling in what was not chosen."""
        return SummaryChoices(
            prefs.length or self.length,
            prefs.format or self.format,
            prefs.language or self.language,
        )


@dataclass(frozen=True)
class SummaryChoices:
    """What shapes one summary: its length, its format and its language."""

    length: SummaryLength
    format: SummaryFormat
    language: str | None  # None: the article's own

    @property
    def kind(self) -> str:
        """The summary cache's name for summaries of this length and format."""
        return f"summary:{self.length.value}:{self.format.value}"


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service needs to open its clients; built from the settings by the edge."""

    database_url: str | None  # None: nothing is remembered (the command line)
    model: str  # names the tokenizer even when no model answers
    llm: LLMConfig | None  # None: extractive summaries and answers
    fetch: FetchPolicy
    reading: ReadingDefaults
    extract_workers: int | None = None  # None: one per CPU; 0: a thread of this process
    # Each job's deadline and each worker's memory ceiling.
    extract_limits: JobLimits = field(default_factory=JobLimits)
    # Fork the workers from this process (quick to start, for one-shot commands).
    extract_fork: bool = False
    budgets: BudgetConfig = field(default_factory=BudgetConfig)
    clock: Clock = clock.now  # budgets' days and months, and follows' polls, follow it
    summary_cache_ttl: timedelta = timedelta(hours=72)
    digest_retention: timedelta = timedelta(days=30)  # links shared in groups are kept this long
    follow: FollowConfig = field(default_factory=FollowConfig)  # followed public channels

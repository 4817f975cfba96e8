"""Frozen values that flow through the core: fetched pages, articles, summaries, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


@dataclass(frozen=True)
class FetchedPage:
    """A response body that passed the fetcher's checks, ready for extraction."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    content_type: str  # lower-case media type without parameters, e.g. "text/html"
    body: bytes
    # Decoded text for HTML and plain text (charset resolved by the fetcher); None for PDF.
    text: str | None = None
    charset: str | None = None


@dataclass(frozen=True)
class Article:
    """The readable article and its metadata, whatever it came from."""

    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601 date when known
    sitename: str | None = None
    language: str | None = None  # ISO 639-1 code when known
    description: str | None = None


class SummaryLength(StrEnum):
    """How long a summary should be."""

    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


class SummaryFormat(StrEnum):
    """The shape of a summary: a gist with key points, or a gist with one paragraph."""

    POINTS = "points"
    PARAGRAPH = "paragraph"


class Notice(StrEnum):
    """Why a reply was made without the model; the front end tells the reader in their words."""

    NO_MODEL = "no_model"  # no model is configured
    MODEL_DOWN = "model_down"  # the model stayed down or busy after every retry
    KEY_REJECTED = "key_rejected"  # the model's server refused the API key
    BUDGET = "budget"  # a usage budget is spent: the model is not asked


@dataclass(frozen=True)
class Usage:
    """Token usage reported by the LLM (zero for extractive work)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Summary:
    """A summary of one article."""

    text: str  # Markdown: a one-line gist, then key points
    language: str | None
    length: SummaryLength
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    # Set when made without the model (sentence ranking): the reader must be told.
    notice: Notice | None = None
    # Fraction of the article's tokens that reached the summary (1.0 unless a hard cap hit).
    coverage: float = 1.0
    chunks: int = 1
    cut_short: bool = False  # the model stopped at its output limit: the text may end early
    cached: bool = False  # made earlier (for any chat) and taken from the summary cache

    @property
    def extractive(self) -> bool:
        """True when the summary quotes the article instead of being written by the model."""
        return self.notice is not None


@dataclass(frozen=True)
class ChatTurn:
    """One turn of a follow-up conversation about an article."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Answer:
    """A follow-up answer grounded in an article."""

    text: str  # Markdown; empty when the article does not cover the question (`covered`)
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    notice: Notice | None = None  # set when made without the model
    covered: bool = True
    language: str | None = None  # the asker's language, when known
    cut_short: bool = False  # the model stopped at its output limit: the text may end early

    @property
    def extractive(self) -> bool:
        """True when the answer quotes the article instead of being written by the model."""
        return self.notice is not None

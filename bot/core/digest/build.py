"""A digest built from the links a group shared: each article once, in the order first shared,
with a one-line summary, and the links that could not be read listed with the reason."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.core.errors import SummarybotError
from bot.core.models import Article, Summary, Usage
from bot.core.reading.cache import canonical_url
from bot.core.store.types import SharedLink

# Articles read at once while building a digest: the pages are many, each fetch mostly waits.
READ_CONCURRENCY = 8


@dataclass(frozen=True)
class Shared:
    """One article as a group shared it: the first share, and how many times in all."""

    first: SharedLink
    times: int


@dataclass(frozen=True)
class DigestEntry:
    """An article of the digest and its one-line summary."""

    shared: Shared
    title: str | None
    url: str  # where the article was read (after redirects), else the shared link
    line: Summary
    text: str = field(default="", repr=False)  # the article's text, for follow-up questions


@dataclass(frozen=True)
class Unreadable:
    """A shared link that could not be read, and why."""

    shared: Shared
    error: SummarybotError


@dataclass(frozen=True)
class Digest:
    """What a digest holds, in the order the articles were first shared."""

    entries: list[DigestEntry] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing was shared: no article summarized, no link failed."""
        return not (self.entries or self.unreadable)

    @property
    def usage(self) -> Usage:
        """Tokens the model spent on this digest (cached lines cost none)."""
        return sum((entry.line.usage for entry in self.entries), Usage())

    @property
    def extractive(self) -> bool:
        """True when some line quotes its article instead of being written by the model."""
        return any(entry.line.extractive for entry in self.entries)


def group_shares(links: Sequence[SharedLink]) -> list[Shared]:
    """The links, each article once (by canonical URL), in the order first shared."""
    firsts: dict[str, SharedLink] = {}
    counts: dict[str, int] = {}
    for link in links:
        key = canonical_url(link.url)
        firsts.setdefault(key, link)
        counts[key] = counts.get(key, 0) + 1
    return [Shared(first, counts[key]) for key, first in firsts.items()]


async def build_digest(
    links: Sequence[SharedLink],
    read: Callable[[str], Awaitable[Article]],
    line: Callable[[Article], Awaitable[Summary]],
) -> Digest:
    """Read each shared article once and summarize it in one line (a few at a time)."""
    gate = asyncio.Semaphore(READ_CONCURRENCY)

    async def one(shared: Shared) -> DigestEntry | Unreadable:
        async with gate:
            try:
                article = await read(shared.first.url)
                summary = await line(article)
            except SummarybotError as exc:
                return Unreadable(shared, exc)
        url = article.url or shared.first.url
        return DigestEntry(shared, article.title, url, summary, article.text)

    results = await asyncio.gather(*(one(shared) for shared in group_shares(links)))
    return Digest(
        entries=[result for result in results if isinstance(result, DigestEntry)],
        unreadable=[result for result in results if isinstance(result, Unreadable)],
    )

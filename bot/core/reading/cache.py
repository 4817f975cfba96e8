"""The shared summary cache: every article is summarized once, whichever chat asks.

A summary is kept under a key made of the article (its canonical URL and a hash of its text),
what was asked (the kind and length of summary, its format and language) and how it was made
(the prompts' fingerprint and the model), so a change to any of them makes a new entry. Asks
for the same key at once in one process wait for the first one's call (single flight). Only
the model's summaries are kept: an extractive fallback is cheap, and a later ask should get
the model again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.core.errors import StoreError
from bot.core.models import Article, Summary, SummaryLength, Usage
from bot.core.store.clock import now
from bot.core.store.types import Store
from bot.core.trace import cache_lookup

log = logging.getLogger(__name__)

# Bumped when the stored document or the key changes shape.
CACHE_FORMAT = "1"
# Query parameters that track the reader and never change the article.
_TRACKING = ("utm_", "fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "igshid", "ref_src")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The URL with its case, default port, fragment and tracking parameters normalized away."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    netloc = f"{host}:{port}" if port else host
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith(_TRACKING)
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


@dataclass(frozen=True)
class CacheKey:
    """Everything a cached summary depends on."""

    url: str | None  # canonical; None for pasted text and documents
    text_hash: str
    kind: str  # e.g. "summary:medium:points", "digest", "recap"
    language: str  # the language asked for; "auto": the article's own
    prompt_version: str
    model: str

    @classmethod
    def of(
        cls, article: Article, kind: str, language: str | None, prompt_version: str, model: str
    ) -> CacheKey:
        """The key of a summary of `kind` of this article."""
        key = cls.of_text(article.text, kind, language, prompt_version, model)
        return replace(key, url=canonical_url(article.url)) if article.url else key

    @classmethod
    def of_text(
        cls, text: str, kind: str, language: str | None, prompt_version: str, model: str
    ) -> CacheKey:
        """The key of what the model makes of `text` (no link): a recap of messages, say."""
        text_hash = hashlib.sha256(text.encode()).hexdigest()
        return cls(None, text_hash, kind, language or "auto", prompt_version, model)

    @classmethod
    def of_url(
        cls, url: str, kind: str, language: str | None, prompt_version: str, model: str
    ) -> CacheKey:
        """The key of the latest summary of `kind` behind a link, whatever its text."""
        url = canonical_url(url)
        return cls(url, "", kind, language or "auto", prompt_version, model)

    @property
    def url_name(self) -> str | None:
        """The key of the same summary by its link alone (None without a link)."""
        return replace(self, text_hash="").name if self.url else None

    @property
    def name(self) -> str:
        """The key as the store keeps it: one hash of every part."""
        parts = (CACHE_FORMAT, self.url or "", self.text_hash, self.kind, self.language)
        joined = "\x1f".join((*parts, self.prompt_version, self.model))
        return hashlib.sha256(joined.encode()).hexdigest()


class SummaryCache:
    """Summaries kept in the store for `ttl`, made once however many ask at the same time."""

    def __init__(
        self, store: Store | None, ttl: timedelta, clock: Callable[[], datetime] = now
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._flights: dict[str, asyncio.Future[Summary | None]] = {}

    async def summary(self, key: CacheKey, make: Callable[[], Awaitable[Summary]]) -> Summary:
        """The cached summary under `key`, else the one `make` writes (kept for the next ask)."""
        name = key.name
        while (flight := self._flights.get(name)) is not None:
            made = await asyncio.shield(flight)
            if made is not None:
                cache_lookup(hit=True)
                return _as_cached(made)
            # The first ask failed or was cancelled: this one tries for itself.
        flight = asyncio.get_running_loop().create_future()
        self._flights[name] = flight
        kept: Summary | None = None
        try:
            kept = await self._lookup(name)
            cache_lookup(hit=kept is not None)
            if kept is not None:
                return kept
            made = await make()
            if made.notice is None:
                # Found by its link too, before the article is read again.
                await self._keep([name, *filter(None, [key.url_name])], key, made)
                kept = made
            return made
        finally:
            del self._flights[name]
            flight.set_result(kept)

    async def latest(self, key: CacheKey) -> Summary | None:
        """The summary last kept under `key`'s link (before the article is read again)."""
        return await self._lookup(key.url_name) if key.url_name else None

    async def _lookup(self, name: str) -> Summary | None:
        if self._store is None:
            return None
        document = await self._store.cached_summary(name, self._clock())
        if document is None:
            return None
        try:
            return _as_cached(_loads(document))
        except (KeyError, TypeError, ValueError) as exc:  # written by another version: remade
            log.warning("ignoring an unreadable cached summary: %s", exc)
            return None

    async def _keep(self, names: list[str], key: CacheKey, summary: Summary) -> None:
        if self._store is None:
            return
        made_at = self._clock()
        try:
            await self._store.keep_summary(
                names, key.url, _dumps(summary), made_at, made_at + self._ttl
            )
        except StoreError as exc:  # the reader still gets the summary; the next ask remakes it
            log.warning("could not cache a summary: %s", exc)


def _as_cached(summary: Summary) -> Summary:
    # No tokens were spent on this ask.
    return replace(summary, cached=True, usage=Usage())


def _dumps(summary: Summary) -> str:
    return json.dumps(
        {
            "text": summary.text,
            "language": summary.language,
            "length": summary.length.value,
            "model": summary.model,
            "coverage": summary.coverage,
            "chunks": summary.chunks,
            "cut_short": summary.cut_short,
        },
        ensure_ascii=False,
    )


def _loads(document: str) -> Summary:
    data = json.loads(document)
    return Summary(
        text=data["text"],
        language=data["language"],
        length=SummaryLength(data["length"]),
        model=data["model"],
        coverage=data["coverage"],
        chunks=data["chunks"],
        cut_short=data["cut_short"],
    )

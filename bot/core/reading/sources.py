"""Turn what a user gives us (a link, a file, a document, pasted text) into an Article."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path

from bot.core.charset import decode_text, looks_binary
from bot.core.errors import (
    BinaryInputError,
    EmptyInputError,
    InvalidURLError,
    MissingFileError,
    TooLargeError,
)
from bot.core.extract.html import article_from_text, extract_html, extract_page, extract_pdf
from bot.core.extract.quality import check_paste
from bot.core.extract.workers import ExtractionPool
from bot.core.fetch.fetcher import SafeFetcher
from bot.core.models import Article

_URL = re.compile(r"^https?://", re.IGNORECASE)
# "example.com/news/1" typed without a scheme is still meant as a link.
_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?$", re.I)
_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<article)", re.IGNORECASE)
_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # Telegram's own download limit for bots
# "notes.txt" could be a domain, but on a command line it is a file that does not exist.
# What piped input is called where a document's file name would be (it names no title).
STDIN_NAME = "standard input"
_FILE_SUFFIXES = frozenset({".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".pdf"})


def looks_like_url(value: str) -> bool:
    """True when `value` is meant as a web link (with or without its scheme)."""
    value = value.strip()
    return bool(_URL.match(value) or (" " not in value and _BARE_DOMAIN.match(value)))


def normalize_url(value: str) -> str:
    """Add the https scheme to a bare domain link."""
    value = value.strip()
    return value if _URL.match(value) else f"https://{value}"


async def article_from_url(url: str, fetcher: SafeFetcher, pool: ExtractionPool) -> Article:
    """Fetch a page safely and extract its article in `pool` (off the event loop)."""
    if not looks_like_url(url):
        raise InvalidURLError(f"not a web link: {url!r}")
    page = await fetcher.fetch(normalize_url(url))
    if page.text is not None:  # decoded already: the bytes would only double what is pickled
        page = dataclasses.replace(page, body=b"")
    return await pool.run(extract_page, page)


def article_from_document(data: bytes, filename: str, mime_type: str | None = None) -> Article:
    """Read an uploaded or local document: PDF, HTML or plain text."""
    if not data.strip():
        raise EmptyInputError(f"{filename} is empty")
    if len(data) > _MAX_DOCUMENT_BYTES:
        raise TooLargeError(f"{filename} is too large", limit_mb=_MAX_DOCUMENT_BYTES // 2**20)
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"%PDF-") or suffix == ".pdf" or mime_type == "application/pdf":
        return _named_pdf(extract_pdf(data), filename)
    if looks_binary(data):
        raise BinaryInputError(f"{filename} is binary data")
    text, _charset = decode_text(data, mime_type)
    if suffix in {".html", ".htm", ".xhtml"} or mime_type in {"text/html", "application/xhtml+xml"}:
        return extract_html(text)
    return article_from_paste(text)


def _named_pdf(article: Article, filename: str) -> Article:
    """A PDF without a title of its own is titled by its file name (piped input has none)."""
    if article.title or filename == STDIN_NAME:
        return article
    return dataclasses.replace(article, title=Path(filename).name)


def article_from_paste(text: str) -> Article:
    """An article from pasted text (HTML source pasted by mistake is extracted as a page),
    refused only when it holds too few sentences: what a user pastes is meant to be read."""
    if _HTML_START.match(text[:512].encode("utf-8", "ignore")):
        return extract_html(text)
    article = article_from_text(text)
    check_paste(article)
    return article


async def load_article(
    source: str, fetcher: SafeFetcher, pool: ExtractionPool, stdin_data: bytes | None = None
) -> Article:
    """Load the CLI's SOURCE: a URL, a file path, or "-" for standard input."""
    if source == "-":
        # Piped bytes are read like a document without a name: PDF, HTML or text by content.
        return await pool.run(article_from_document, stdin_data or b"", STDIN_NAME)
    path = Path(source)
    if await asyncio.to_thread(path.is_file):
        data = await asyncio.to_thread(path.read_bytes)
        return await pool.run(article_from_document, data, path.name)
    if "://" in source or (looks_like_url(source) and path.suffix not in _FILE_SUFFIXES):
        return await article_from_url(source, fetcher, pool)
    raise MissingFileError(f"no file at {source}", path=source)

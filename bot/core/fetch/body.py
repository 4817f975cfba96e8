"""A fetched response's body: status and type checks, bounded inflation, sniffing, decoding.

Knows nothing of the HTTP client: the fetcher hands over the status, the headers it needs and
the raw chunks as they arrive.
"""

from __future__ import annotations

import logging
import zlib

from bot.core.charset import decode_text
from bot.core.errors import (
    FetchError,
    ForbiddenError,
    HTTPStatusError,
    NotFoundError,
    PaywallError,
    TooLargeError,
    UnsupportedContentTypeError,
)
from bot.core.models import FetchedPage

logger = logging.getLogger(__name__)

TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
PDF_TYPE = "application/pdf"
# Media types that say nothing about the content, so the first bytes decide.
_SNIFFED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_ACCEPTED_TYPES = TEXT_TYPES | {PDF_TYPE} | _SNIFFED_TYPES
_SNIFF_BYTES = 1024
# Compressed bodies may carry a little more than they inflate to: gzip headers, and 5 bytes per
# 64 KB of an incompressible body sent as stored blocks.
_WIRE_SLACK = 64 * 1024


class BodyReader:
    """Collects one response's body under the size limit and turns it into a FetchedPage."""

    def __init__(
        self,
        status: int,
        content_type: str | None,
        content_length: str | None,
        content_encoding: str | None,
        max_bytes: int,
    ) -> None:
        """Refuse at once an error status, a type we do not read, or a declared size too big."""
        if status >= 300:
            raise _status_error(status)
        self._status = status
        self._header = content_type
        self._media_type = _media_type(content_type)
        if self._media_type not in _ACCEPTED_TYPES:
            raise _unsupported(self._media_type)
        length = content_length or ""
        if length.isdigit() and int(length) > max_bytes:
            raise _too_large(max_bytes)
        self._inflater = _BoundedInflater(content_encoding or "", max_bytes)
        self._body = bytearray()

    @property
    def complete(self) -> bool:
        """True once a compressed body has ended: whatever the server sends after is not read."""
        return self._inflater.ended

    def feed(self, chunk: bytes) -> None:
        """Add a raw chunk; refuses as soon as the body is too large or of the wrong kind."""
        self._body += self._inflater.feed(chunk)
        if self._media_type in _SNIFFED_TYPES and len(self._body) >= _SNIFF_BYTES:
            self._media_type = _sniffed(bytes(self._body[:_SNIFF_BYTES]), self._media_type)

    def page(self, asked: str, final: str) -> FetchedPage:
        """The page read so far (the whole body): PDFs as bytes, text decoded."""
        if self._media_type in _SNIFFED_TYPES:
            self._media_type = _sniffed(bytes(self._body[:_SNIFF_BYTES]), self._media_type)
        body, kind = bytes(self._body), self._media_type
        logger.debug("read %s: %s, %d bytes", final, kind, len(body))
        if kind == PDF_TYPE:
            return FetchedPage(asked, final, self._status, kind, body)
        text, charset = decode_text(body, self._header)
        return FetchedPage(asked, final, self._status, kind, body, text, charset)


def _status_error(status: int) -> HTTPStatusError:
    """The typed error for an HTTP error status."""
    if status in (404, 410):
        return NotFoundError(f"The page was not found ({status}).", status=status)
    if status in (401, 403):
        return ForbiddenError(f"The site refused access ({status}).", status=status)
    if status in (402, 451):
        return PaywallError(f"The page is behind a paywall ({status}).", status=status)
    return HTTPStatusError(f"The site answered with status {status}.", status=status)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _sniff(head: bytes) -> str | None:
    """The media type the first bytes show: PDF or HTML, else None."""
    if head.startswith(b"%PDF-"):
        return PDF_TYPE
    lower = head.lower()
    if b"<html" in lower or lower.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<!doctype html"):
        return "text/html"
    return None


def _sniffed(head: bytes, declared: str) -> str:
    """The media type the body's first bytes show; refuse what is neither HTML nor PDF."""
    sniffed = _sniff(head)
    if sniffed is None:
        raise _unsupported(declared)
    return sniffed


class _BoundedInflater:
    """Undoes Content-Encoding chunk by chunk, never reading or producing more than `limit`."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise FetchError(f"The site used an unsupported content encoding {content_encoding}.")
        self._coding = codings[0] if codings else None
        gzip_wbits = 16 + zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(gzip_wbits if self._coding != "deflate" else 15)
        self._limit = limit
        self.produced = 0
        self._wire = 0

    @property
    def ended(self) -> bool:
        """True when the compressed stream is complete (an identity body ends with its response)."""
        return self._coding is not None and self._inflater.eof

    def feed(self, chunk: bytes) -> bytes:
        """The decoded bytes of `chunk`; TooLargeError as soon as either limit is passed."""
        self._wire += len(chunk)
        if self._coding is None:
            out = chunk
        else:
            if self._wire > self._limit + _WIRE_SLACK:
                raise _too_large(self._limit)  # e.g. endless empty blocks that inflate to nothing
            # max_length bounds each inflation: a 10 KB gzip chunk may hold 10 MB of zeros.
            out = self._inflate(chunk, self._limit - self.produced + 1)
        self.produced += len(out)
        if self.produced > self._limit:
            raise _too_large(self._limit)
        return out

    def _inflate(self, chunk: bytes, budget: int) -> bytes:
        try:
            return self._inflater.decompress(chunk, budget)
        except zlib.error:
            if self._coding == "deflate" and self.produced == 0:
                # Many servers send raw deflate although the standard says zlib-wrapped.
                self._coding, self._inflater = "raw", zlib.decompressobj(-zlib.MAX_WBITS)
                return self._inflate(chunk, budget)
            raise FetchError("The page's compressed body is corrupt.") from None


def _too_large(limit: int) -> TooLargeError:
    megabytes = round(limit / (1024 * 1024), 1)
    limit_mb = int(megabytes) if megabytes.is_integer() else megabytes
    return TooLargeError("The page is larger than the size limit.", limit_mb=limit_mb)


def _unsupported(media_type: str) -> UnsupportedContentTypeError:
    shown = media_type[:80] or "unknown"  # a header is no place for an essay
    return UnsupportedContentTypeError(
        f"The page is of type {shown}, not HTML, text or PDF.", content_type=shown
    )

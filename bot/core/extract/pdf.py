"""Text and title of a PDF document, page by page, with pypdf (pure Python)."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, IndirectObject

from bot.core.errors import (
    EmptyInputError,
    TooComplexError,
    TooManyPagesError,
    UnreadableDocumentError,
)

logger = logging.getLogger(__name__)

# Longer documents are refused: a book is not summarized from its first 300 pages.
MAX_PDF_PAGES = 300
_HYPHEN_BREAK = re.compile(r"(\w)-\n(?=[a-zà-ÿ])")
# Titles that document tools write on their own and that tell the reader nothing.
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft word|document\d*|slide \d+)\b|\.(?:docx?|pdf|tex)$", re.I
)


def _paragraphs(page_text: str) -> list[str]:
    """Join a page's wrapped lines into paragraphs, undoing end-of-line hyphenation."""
    text = _HYPHEN_BREAK.sub(r"\1", page_text.replace("\r", "\n"))
    lines = [" ".join(raw.split()) for raw in text.split("\n")]
    lengths = sorted(len(line) for line in lines if line)
    # Lines of a paragraph run to the margin; one well short of the usual width ends a
    # paragraph or is a heading (PDF text has no paragraph marks of its own).
    full = lengths[int(len(lengths) * 0.8)] if lengths else 0
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        if current and (not line or len(line) < 0.7 * full):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _title(reader: PdfReader, paragraphs: list[str]) -> str | None:
    """The document's own title when meaningful, else its first short line."""
    try:
        title = (reader.metadata.title if reader.metadata else None) or ""
    except PyPdfError:  # a broken info dictionary should not lose the text
        title = ""
    title = " ".join(title.split())
    if title and not _JUNK_TITLE.search(title):
        return title
    first = next((p for p in paragraphs if p), "")
    return first if 0 < len(first) <= 150 else None


def _page_texts(reader: PdfReader) -> list[str]:
    """The text of each page; a page that repeats an earlier one's content is read once."""
    if len(reader.pages) > MAX_PDF_PAGES:
        raise TooManyPagesError(
            f"the PDF has {len(reader.pages)} pages", pages=len(reader.pages), limit=MAX_PDF_PAGES
        )
    seen: set[object] = set()
    texts = []
    for page in reader.pages:
        # pypdf parses a content stream anew for every page that shows it: one huge stream
        # shared by every page would cost its parse once per page, for the same text.
        key = _shared_content(page)
        if key is None or key not in seen:
            texts.append(page.extract_text() or "")
            seen.add(key)
    return texts


def _shared_content(page: PageObject) -> object | None:
    """What makes a page's text: its content streams and resources, by object number where
    they are references (None for content written into the page itself)."""
    contents = page.get("/Contents")  # dict.get: the reference itself, not what it points to
    parts = contents if isinstance(contents, ArrayObject) else [contents]
    if not all(isinstance(part, IndirectObject) for part in parts):
        return None
    return tuple(_reference(part) for part in parts), _reference(page.get("/Resources"))


def _reference(value: Any) -> object:
    """An object's number when it is a reference, else its value written out."""
    if isinstance(value, IndirectObject):
        return (value.idnum, value.generation)
    return repr(value)


def read_pdf(data: bytes) -> tuple[str, str | None]:
    """(text with paragraphs separated by blank lines, title) of a PDF document."""
    if not data.strip():
        raise EmptyInputError("the PDF is empty", kind="PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocumentError("the PDF is password-protected", kind="PDF")
        paragraphs = [p for text in _page_texts(reader) for p in _paragraphs(text)]
        title = _title(reader, paragraphs)
    except (UnreadableDocumentError, TooManyPagesError):
        raise
    except LimitReachedError as exc:  # pypdf's own guard against streams built to exhaust it
        raise TooComplexError(f"the PDF passed a pypdf limit: {exc}") from exc
    # pypdf raises a wide range of errors on damaged files; all mean "cannot read this PDF".
    except (
        PdfReadError,
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        OSError,
        NotImplementedError,
    ) as exc:
        raise UnreadableDocumentError(f"cannot read the PDF: {exc}", kind="PDF") from exc
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise EmptyInputError("the PDF holds no text (a scan?)", kind="PDF")
    return text, title

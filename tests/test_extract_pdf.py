"""PDF extraction with pypdf, on small PDFs built by hand in the test."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfWriter

from bot.core.errors import EmptyInputError, UnreadableDocumentError
from bot.core.extract.html import extract_page, extract_pdf
from bot.core.models import FetchedPage
from bot.core.reading.sources import STDIN_NAME, article_from_document
from tests.test_extract import STORY


def wrapped_lines(paragraphs: list[str], width: int = 80) -> list[str]:
    """Lines as a word processor would wrap them, a blank line between paragraphs."""
    lines: list[str] = []
    for paragraph in paragraphs:
        line = ""
        for word in paragraph.split():
            if line and len(line) + len(word) >= width:
                lines.append(line)
                line = ""
            line = f"{line} {word}".strip()
        lines += [line, ""]
    return lines


def make_pdf(lines: list[str], title: str | None = None) -> bytes:
    """A minimal valid one-page PDF that shows `lines` in Helvetica (hand-built, no writer)."""
    escaped = (re.sub(r"([()\\])", r"\\\1", line) for line in lines)
    content = (
        "BT /F1 10 Tf 12 TL 50 760 Td " + " ".join(f"({line}) Tj T*" for line in escaped) + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if title:
        objects.append(f"<< /Title ({title}) >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    info = f" /Info {len(objects)} 0 R" if title else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\n".encode()
    return out + f"startxref\n{xref}\n%%EOF\n".encode()


def test_pdf_text_and_title() -> None:
    lines = wrapped_lines(STORY)
    # A word hyphenated across a line break comes back whole.
    lines[0:2] = [
        "The city council voted 7-2 on Tuesday to build forty kilo-",
        "metres of protected bicycle lanes across the northern districts, ending a",
        "debate that had split the chamber for two years.",
    ]
    article = extract_pdf(
        make_pdf(lines, title="Bike lane network approved"), "https://a.example/r.pdf"
    )
    assert article.title == "Bike lane network approved"
    assert article.language == "en"
    assert STORY[0] in article.text
    assert STORY[3] in article.text
    assert "\n\n".join(STORY[1:3]) in article.text


def test_pdf_title_falls_back_to_the_first_line() -> None:
    article = extract_pdf(make_pdf(["Bike lanes approved", "", *wrapped_lines(STORY)]))
    assert article.title == "Bike lanes approved"


def test_broken_and_encrypted_pdfs_are_unreadable() -> None:
    good = make_pdf(wrapped_lines(STORY))
    for broken in (b"%PDF-1.4 this is not really a PDF", good[: len(good) // 3]):
        with pytest.raises(UnreadableDocumentError) as caught:
            extract_pdf(broken)
        assert caught.value.details["kind"] == "PDF"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnreadableDocumentError):
        extract_pdf(buffer.getvalue())


def test_pdf_without_text_is_empty() -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EmptyInputError):
        extract_pdf(buffer.getvalue())
    with pytest.raises(EmptyInputError):
        extract_pdf(b"")


def test_extract_page_reads_a_pdf() -> None:
    pdf = FetchedPage(
        "https://a.example/p.pdf",
        "https://a.example/p.pdf",
        200,
        "application/pdf",
        make_pdf(wrapped_lines(STORY), title="Bike lanes"),
    )
    article = extract_page(pdf)
    assert article.title == "Bike lanes"
    assert article.url == "https://a.example/p.pdf"


def test_a_pdf_without_a_title_is_named_by_its_file() -> None:
    data = make_pdf(wrapped_lines(STORY))
    assert extract_pdf(data).title is None
    assert article_from_document(data, "council-report.pdf").title == "council-report.pdf"
    # Piped input has no name to show.
    assert article_from_document(data, STDIN_NAME).title is None

"""The article test server itself: its fixtures must be what other tests take them for."""

from __future__ import annotations

import io

import aiohttp
import pypdf

from tests.servers.article_server import (
    ARTICLE_BOILERPLATE,
    ARTICLE_FIRST_PHRASE,
    ARTICLE_HTML,
    ARTICLE_LAST_PHRASE,
    ARTICLE_TITLE,
    PDF_BYTES,
    PDF_TEXT,
    ArticleServer,
    make_pdf,
)


def test_the_pdf_has_extractable_text() -> None:
    text = pypdf.PdfReader(io.BytesIO(PDF_BYTES)).pages[0].extract_text()
    for line in PDF_TEXT:
        assert line in text
    tricky = make_pdf(["Brackets (and) back\\slash"])
    assert (
        "Brackets (and) back\\slash" in pypdf.PdfReader(io.BytesIO(tricky)).pages[0].extract_text()
    )


def test_the_article_page_holds_article_and_boilerplate() -> None:
    html = ARTICLE_HTML.decode()
    for phrase in (ARTICLE_TITLE, ARTICLE_FIRST_PHRASE, ARTICLE_LAST_PHRASE):
        assert phrase in html
    for phrase in ARTICLE_BOILERPLATE:
        assert phrase in html
    # The unique closing phrase sits in the article's last paragraph.
    assert html.index(ARTICLE_LAST_PHRASE) < html.index("</article>")
    assert html.index(ARTICLE_LAST_PHRASE) > html.rindex("<p>", 0, html.index("</article>"))


async def test_the_server_counts_connections_and_records_hosts(
    article_server: ArticleServer,
) -> None:
    url = article_server.add_page("/extra", b"hello", None, status=201, headers={"X-Test": "1"})
    async with aiohttp.ClientSession() as client:
        async with client.get(url, headers={"Host": "news.test"}) as response:
            body = await response.read()
        async with client.get(article_server.url("/status/418")) as second:
            await second.read()
    assert (response.status, body) == (201, b"hello")
    assert "content-type" not in response.headers
    assert response.headers["x-test"] == "1"
    assert second.status == 418
    assert article_server.connections == 1  # keep-alive: one connection, two requests
    assert [(seen.path, seen.host) for seen in article_server.requests] == [
        ("/extra", "news.test"),
        ("/status/418", f"127.0.0.1:{article_server.port}"),
    ]

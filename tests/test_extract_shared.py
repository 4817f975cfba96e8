"""Extraction on the shared data: a pasted article, nine non-English news pages, benchmark pages."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.errors import NotAnArticleError
from bot.core.extract.html import article_from_text, check_quality, extract_html


def test_pasted_article_keeps_body_and_finds_the_headline(shared_data: Path) -> None:
    raw = (shared_data / "articles" / "korea-engagement-2025-11-02.txt").read_text(encoding="utf-8")
    article = article_from_text(raw)
    assert article.title is not None
    assert article.title.startswith("'We Will Build Trust': South Korea's President Lee")
    assert article.language == "en"
    assert "A Divisive Path" in article.text
    assert "has no one to talk to in the South." in article.text
    check_quality(article)


_LANGS = {
    "aktualne": "cs",
    "folha": "pt",
    "gmw": "zh",
    "heise": "de",
    "la-nacion": "es",
    "lemonde-1": "fr",
    "liberation-1": "fr",
    "qq": "zh",
    "yahoo-4": "ja",
}


def _same_name(ours: str | None, expected: str) -> bool:
    """Loose match of a byline or site name: one contains the other, case and punctuation aside."""
    fold = ["".join(ch for ch in s.casefold() if ch.isalnum()) for s in (ours or "", expected)]
    return bool(fold[0]) and (fold[0] in fold[1] or fold[1] in fold[0])


def test_multilingual_news_metadata(shared_data: Path) -> None:
    pages = sorted(p for p in (shared_data / "multilingual-news").iterdir() if p.is_dir())
    assert [p.name for p in pages] == sorted(_LANGS)
    authors = sites = 0
    for page in pages:
        expected = json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))
        article = extract_html((page / "source.html").read_text(encoding="utf-8"))
        assert article.language == _LANGS[page.name], page.name
        # Readability keeps a " - Site" suffix in some titles; ours drops it.
        assert article.title, page.name
        assert expected["title"] == article.title or expected["title"].startswith(article.title)
        assert len(article.title) >= len(expected["title"]) / 2, page.name
        authors += bool(expected["byline"]) and _same_name(article.author, expected["byline"])
        sites += bool(expected["siteName"]) and _same_name(article.sitename, expected["siteName"])
    # Of 7 bylines (one is the junk "個人"), 4 match loosely today (aktualne with a stray
    # trailing word), 3 exactly; all 6 site names match.
    assert authors >= 3
    assert sites == 6


def test_benchmark_sample_f1_floor(shared_data: Path) -> None:
    from bench.extraction import BENCHMARK, aggregate, load_pages, score_page

    assert shared_data / "extraction-benchmark" == BENCHMARK
    scores = []
    for _page_id, html, truth in load_pages(10):
        try:
            text = extract_html(html).text
        except NotAnArticleError:
            text = ""
        scores.append(score_page(text, truth))
    # Measured 0.935 (P 0.980, R 0.894): one of the ten is a paywall teaser the gate refuses.
    totals = aggregate(scores)
    assert totals.f1 >= 0.92
    assert totals.precision >= 0.95

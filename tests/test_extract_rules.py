"""The extraction rules measured on the readability page set, each on a small hand-written page."""

from __future__ import annotations

import trafilatura

from bot.core.extract.html import extract_html
from tests.test_extract import STORY, html_page

ARTICLE = "<h1>Bike lanes approved</h1>" + "".join(f"<p>{p}</p>" for p in STORY)


def test_headings_and_paragraphs_inside_list_items_keep_their_word_breaks() -> None:
    items = "".join(
        f"<li><h2>Phase {n}</h2><p>{sentence}</p>Read the plan</li>"
        for n, sentence in enumerate(STORY[1:], start=1)
    )
    page = html_page(f"<article><h1>Bike lanes</h1><p>{STORY[0]}</p><ul>{items}</ul></article>")
    text = extract_html(page).text
    assert "Phase 1" in text
    assert "Phase1" not in text
    assert "Read the planPhase" not in text
    # Heading, paragraph and the item's own text each on a line of their own.
    assert f"- Phase 1\n{STORY[1]}\nRead the plan" in text


def test_a_gallery_inside_the_article_is_left_out() -> None:
    captions = [
        "Manchester United's absence from the Champions League hurt more than the fans' pride "
        "last year, it also dented the bottom line of the club and its shareholders.",
        "Revenues at the New York listed club dipped 8.8 per cent in the year to June, "
        "triggering a loss after broadcasting and sponsorship deals dried up for good.",
    ]
    gallery = (
        "<div class='full-gallery'><div class='scroller'><ul class='legends'>"
        + "".join(f"<li><h2>Slide {n}</h2><p>{c}</p></li>" for n, c in enumerate(captions))
        + "</ul></div></div>"
    )
    paragraphs = [f"<p>{p}</p>" for p in STORY]
    page = html_page(
        f"<article><h1>Bike lanes</h1>{''.join(paragraphs[:2])}{gallery}"
        f"{''.join(paragraphs[2:])}</article>"
    )
    assert captions[0] in (trafilatura.extract(page) or "")  # the premise: it takes them in
    text = extract_html(page).text
    assert all(paragraph in text for paragraph in STORY)
    assert "Manchester" not in text
    assert "Revenues" not in text


def test_a_gallery_holding_the_headline_is_the_article() -> None:
    page = html_page(f"<div class='gallery-page'>{ARTICLE}</div>")
    assert all(paragraph in extract_html(page).text for paragraph in STORY)


def test_a_link_wrapped_in_a_span_stays_in_its_sentence() -> None:
    sentence = (
        "The council has also taken a firm line on "
        "<span class='link'><a href='/parking'>closing the harbour district to lorries</a></span>"
        ", despite the objections of several shop owners along the route."
    )
    page = html_page(f"<article>{ARTICLE}<p>{sentence}</p></article>")
    precise = trafilatura.extract(page, fast=True, favor_precision=True, include_comments=False)
    assert "harbour district" not in (precise or "")  # the premise: its precise mode cuts it
    text = extract_html(page).text
    assert (
        "taken a firm line on closing the harbour district to lorries, despite the objections"
        in text
    )

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


def test_a_heading_with_a_permalink_anchor_is_kept() -> None:
    page = html_page(
        f"<article><h1>Bike lanes</h1><p>{STORY[0]}</p>"
        "<div><h2 id='why'>Why the vote went this way <a href='#why'>#</a></h2></div>"
        f"<p>{STORY[1]}</p><p>{STORY[2]}</p></article>"
    )
    precise = trafilatura.extract(page, fast=True, favor_precision=True, include_comments=False)
    assert "Why the vote" not in (precise or "")  # the premise: its precise mode drops it
    assert "Why the vote went this way #" in extract_html(page).text.split("\n\n")


def test_a_linked_heading_between_paragraphs_is_not_taken_for_a_lone_link() -> None:
    page = html_page(
        f"<article><h1>Bike lanes</h1><p>{STORY[0]}</p><p>{STORY[1]}</p>"
        f"<h3><a href='/shops'>What the shops fear</a></h3><p>{STORY[2]}</p><p>{STORY[3]}</p>"
        "</article>"
    )
    assert "What the shops fear" in extract_html(page).text.split("\n\n")


_EXTRA = (
    "Local businesses along the route will be offered grants to adapt their deliveries, and the "
    "council promised to publish a detailed timetable for each street before any work begins."
)


def test_readability_completes_a_text_a_third_shorter_than_the_page() -> None:
    # trafilatura's precise mode deletes a "bottom" block holding the last two paragraphs: its
    # text is about 1.6 times shorter than the page's paragraphs.
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY[:3])
    page = html_page(
        f"<article><h1>Bike lanes</h1>{paragraphs}"
        f"<div class='bottom'><p>{STORY[3]}</p><p>{_EXTRA}</p></div></article>"
    )
    precise = trafilatura.extract(page, fast=True, favor_precision=True, include_comments=False)
    assert precise is not None
    assert STORY[3] not in precise  # the premise
    text = extract_html(page).text
    for paragraph in (*STORY, _EXTRA):
        assert paragraph in text


_TEASERS = [
    ("Tram extension delayed", "The second line will open a year late, the operator said."),
    ("Market Street traders launch petition", "Shop owners collected two thousand names."),
    ("Harbour loop plans unveiled", "Architects showed the first drawings of the bridge."),
]


def test_a_list_of_other_stories_below_the_article_is_cut() -> None:
    teasers = "".join(f"<h3>{title}</h3><p>{line}</p>" for title, line in _TEASERS)
    story = "".join(f"<p>{p}</p>" for p in STORY)
    page = html_page(
        f"<article><h1>Bike lanes</h1>{story}<h2>Other Opinion Columns</h2>{teasers}</article>"
    )
    assert "Harbour loop" in (trafilatura.extract(page) or "")  # the premise: it keeps them
    text = extract_html(page).text
    assert text.endswith(STORY[3])
    assert "Other Opinion Columns" not in text


def test_a_related_label_early_in_the_article_is_not_a_cut() -> None:
    story = "".join(f"<p>{p}</p>" for p in STORY[1:])
    page = html_page(
        f"<article><h1>Bike lanes</h1><p>{STORY[0]}</p><h2>More stories</h2>{story}</article>"
    )
    text = extract_html(page).text
    assert "More stories" in text
    assert text.endswith(STORY[3])


def test_subheadings_are_kept_on_a_page_without_an_article_container() -> None:
    body = (
        f"<h1>Bike lanes</h1><p>{STORY[0]}</p><h3>What supporters say</h3><p>{STORY[1]}</p>"
        f"<h3>What opponents say</h3><p>{STORY[2]}</p><p>{STORY[3]}</p>"
    )
    page = html_page(f"<div class='blog-post'>{body}</div>")
    precise = trafilatura.extract(page, fast=True, favor_precision=True, include_comments=False)
    assert precise is not None
    assert "What supporters say" not in precise  # the premise: its recovery pass keeps only <p>
    paragraphs = extract_html(page).text.split("\n\n")
    assert paragraphs[paragraphs.index(STORY[0]) :] == [
        STORY[0],
        "What supporters say",
        STORY[1],
        "What opponents say",
        STORY[2],
        STORY[3],
    ]


RUSSIAN = [
    "Городской совет во вторник семью голосами против двух одобрил строительство сорока "
    "километров защищённых велосипедных дорожек в северных районах города.",
    "Сторонники проекта говорят, что новая сеть сократит время в пути для тысяч жителей и сделает "
    "самые загруженные перекрёстки безопаснее. В прошлом году число аварий с велосипедистами выросло.",
    "Противники предупреждают, что сокращение парковок ударит по небольшим магазинам на Рыночной "
    "улице. Депутат, голосовавшая против, потребовала пересмотреть план после первого этапа.",
]


def test_russian_teasers_and_related_news_are_dropped() -> None:
    teaser = "<p>Читайте также: <a href='/tram'>Продление трамвайной линии отложили на год</a></p>"
    related = "".join(
        f"<li><a href='/n{n}'>{title}</a></li>"
        for n, title in enumerate(["Мэрия обновит парки", "Новые автобусы выйдут на линии"])
    )
    page = html_page(
        f"<article><h1>Велодорожки</h1><p>{RUSSIAN[0]}</p>{teaser}<p>{RUSSIAN[1]}</p>"
        f"<p>{RUSSIAN[2]}</p><h2>Похожие новости</h2><ul>{related}</ul></article>",
        lang="ru",
    )
    text = extract_html(page).text
    assert all(paragraph in text for paragraph in RUSSIAN)
    assert "Читайте также" not in text
    assert "Похожие новости" not in text

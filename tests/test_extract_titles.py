"""The title and site name of a page: site suffixes, breadcrumbs and sponsor lines left out."""

from __future__ import annotations

import pytest

from bot.core.extract.html import extract_html

_BODY = {
    "zh": "".join(
        "研究人員表示，每天步行三十分鐘可以明顯降低心血管疾病的風險，並改善睡眠品質。" * 2 + "\n"
        for _ in range(8)
    ),
    "ru": "\n".join(
        "Производитель объяснил рост цен подорожанием комплектующих и логистики в этом году, "
        "а дилеры ожидают, что спрос на лёгкие коммерческие автомобили останется высоким."
        for _ in range(6)
    ),
    "en": "\n".join(
        "The council voted on Tuesday to build forty kilometres of protected bicycle lanes "
        "across the northern districts, ending a debate that had split the chamber for years."
        for _ in range(6)
    ),
}


def _page(head: str, body: str, lang: str) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in _BODY[lang].splitlines())
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
        f"<body>{body}<article>{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("head", "body", "lang", "title", "sitename"),
    [
        # Sections and the site behind the headline, named by og:site_name.
        (
            '<meta property="og:title" content="每天步行三十分鐘 心臟更健康 | 健康天地 | 健康醫藥 '
            '| 聯合新聞網"><meta property="og:site_name" content="聯合新聞網">',
            "",
            "zh",
            "每天步行三十分鐘 心臟更健康",
            "聯合新聞網",
        ),
        # Without a site name: the sections behind a longer headline still go.
        (
            "<title>每天步行三十分鐘 心臟更健康 | 健康天地 | 健康醫藥 | 聯合新聞網</title>",
            "",
            "zh",
            "每天步行三十分鐘 心臟更健康",
            None,
        ),
        # A headline with a dot: trafilatura takes the site for the title, the headline for the site.
        (
            "<title>Цены на «Газель» выросли на 5.6% — РБК</title>",
            "<h1>Новости</h1><h1>Главное</h1>",
            "ru",
            "Цены на «Газель» выросли на 5.6%",
            None,
        ),
        # A <title> that is the site name only: the page's headline is its <h1>.
        (
            '<title>РБК</title><meta property="og:site_name" content="РБК">',
            "<h1>Цены на «Газель» выросли на 5.6%</h1>",
            "ru",
            "Цены на «Газель» выросли на 5.6%",
            "РБК",
        ),
        # A sponsor line in a title-classed heading is not the headline.
        (
            "<title>Council approves bike lanes across the north - Riverside Gazette</title>",
            '<h2 class="post-title">Sponsored by Acme Bikes</h2>'
            "<h1>Council approves bike lanes across the north</h1><h1>More news</h1>",
            "en",
            "Council approves bike lanes across the north",
            None,
        ),
        # The headline as an <h1>, the <title> with a site prefix.
        (
            "<title>Riverside Gazette: Council approves bike lanes across the north</title>"
            '<meta property="og:site_name" content="The Riverside Gazette">',
            "",
            "en",
            "Council approves bike lanes across the north",
            "The Riverside Gazette",
        ),
    ],
)
def test_title_and_site_name(
    head: str, body: str, lang: str, title: str, sitename: str | None
) -> None:
    article = extract_html(_page(head, body, lang))
    assert (article.title, article.sitename) == (title, sitename)

"""Page junk in a news article's text: related-news headlines and JSON-escaped quotes, on a page
in the style of a Russian news site (article body in `article__text`, inline related-news blocks
and a "Читайте также" list of other stories inside it, JSON-LD NewsArticle in the head)."""

from __future__ import annotations

import json

from bot.core.extract.boilerplate import drop_boilerplate
from bot.core.extract.html import extract_html
from bot.core.reading.extractive import extractive_answer

STORY = [
    "Группа ГАЗ в третьем квартале увеличила продажи легких коммерческих автомобилей на 12% по "
    "сравнению с тем же периодом прошлого года, сообщила компания в понедельник. Больше всего "
    'выросли поставки фургонов "Газель Next" в регионы.',
    "По словам представителя компании, спрос поддержали государственные программы льготного "
    "лизинга и обновление парков служб доставки. Дилеры отмечают, что очереди на отдельные "
    "модификации растянулись до двух месяцев.",
    'Аналитики агентства "Автостат" ожидают, что по итогам года рынок легких коммерческих '
    "автомобилей в России вырастет на 8-10%. При этом они предупреждают о рисках, связанных с "
    "ростом ключевой ставки и удорожанием кредитов.",
    "В компании добавили, что в следующем году планируют запустить серийное производство "
    "электрической версии фургона на заводе в Нижнем Новгороде и открыть еще двадцать дилерских "
    "центров по всей стране.",
]
RELATED = [
    'Производитель "Газелей" объявил о повышении цен с января',
    "ЦБ сохранил ключевую ставку на уровне 16% годовых",
    "Как изменились продажи новых машин в октябре",
]
INLINE = "Российский рынок грузовиков сократился впервые за два года"


def _json_escaped(text: str) -> str:
    """`text` as a JSON string's inside, the way a server template pasting JSON into HTML leaves it."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def rbc_page(story: list[str] = STORY, related: list[str] = RELATED) -> str:
    """A news page in the style of rbc.ru."""
    paragraphs = [f"<p>{p}</p>" for p in story]
    inline = (
        '<div class="article__inline-item"><a class="article__inline-item__link" '
        'href="https://www.rbc.ru/business/01/12/2026/a1"><span class="article__inline-item__category">'
        f'Бизнес</span><span class="article__inline-item__title">{INLINE}</span></a></div>'
    )
    read_also = (
        "<p><strong>Читайте также</strong></p><ul>"
        + "".join(
            f'<li><a href="https://www.rbc.ru/x/{i}">{t}</a></li>' for i, t in enumerate(related)
        )
        + "</ul>"
    )
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "ГАЗ увеличил продажи «Газелей» на 12%",
        "articleBody": "\n".join(STORY + RELATED),
    }
    return f"""<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>ГАЗ увеличил продажи «Газелей» на 12% :: Бизнес :: РБК</title>
<meta property="og:site_name" content="РБК">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>
<div class="l-window"><div class="article"><div class="article__header">
<h1 class="article__header__title-in">ГАЗ увеличил продажи «Газелей» на 12%</h1></div>
<div class="article__text article__text_free" itemprop="articleBody">
{paragraphs[0]}{inline}{paragraphs[1]}{paragraphs[2]}{read_also}{"".join(paragraphs[3:])}
</div></div></div></body></html>"""


def test_related_news_headlines_inside_the_article_are_left_out() -> None:
    text = extract_html(rbc_page(), "https://www.rbc.ru/business/02/12/2026/b2").text
    assert all(paragraph in text for paragraph in STORY)
    assert not any(headline in text for headline in [*RELATED, INLINE])
    assert "Читайте также" not in text


def test_json_escaped_quotes_in_the_markup_read_as_quotes() -> None:
    story = [_json_escaped(p) for p in STORY]
    assert '\\"Газель Next\\"' in story[0]  # the premise: the page's own text holds the escapes
    text = extract_html(rbc_page(story, [_json_escaped(t) for t in RELATED])).text
    assert '\\"' not in text
    assert all(paragraph in text for paragraph in STORY)


def test_a_list_of_points_that_hold_links_stays() -> None:
    points = [
        f'<li>{sentence} <a href="/source/{i}">источник</a></li>'
        for i, sentence in enumerate(RELATED)
    ]
    page = rbc_page().replace(
        "<p><strong>Читайте также</strong></p><ul>", "<ul>" + "".join(points) + "</ul><ul>", 1
    )
    text = extract_html(page).text
    assert all(f"- {sentence} источник" in text for sentence in RELATED)


def test_an_extractive_answer_quotes_the_article_not_the_headlines() -> None:
    teasers = [
        "ЦБ сохранил ключевую ставку на уровне 16% годовых. Регулятор допустил снижение ключевой "
        "ставки в следующем году, если инфляция замедлится.",
        "Продажи новых машин в октябре выросли на треть. Аналитики ожидают, что рост продаж "
        "машин продолжится до конца года.",
    ]
    text = extract_html(rbc_page(related=teasers)).text
    answer = extractive_answer(text, "Что ожидают аналитики от ключевой ставки и продаж машин?")
    assert not any(sentence in answer for teaser in teasers for sentence in teaser.split(". "))
    assert "ключевой ставки" in answer


def test_a_table_of_contents_of_the_article_stays() -> None:
    # trafilatura drops most of them itself; one that it keeps (as on topicseed.com's pages, whose
    # benchmark truth holds it) links within the page, so it is no list of other stories.
    sections = ["Продажи в регионах", "Спрос на льготный лизинг", "Планы на следующий год"]
    contents = "\n".join(f"- {title}" for title in sections)
    text = "\n\n".join([STORY[0], contents, *STORY[1:]])
    assert drop_boilerplate(text, frozenset(sections), frozenset()) == text
    assert contents not in drop_boilerplate(text, frozenset(sections), frozenset(sections))

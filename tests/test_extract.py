"""Article extraction from HTML and pasted text: text, metadata, boilerplate, fallback."""

from __future__ import annotations

import pytest
import trafilatura

from bot.core.errors import EmptyInputError, NotAnArticleError
from bot.core.extract.html import article_from_text, extract_html, extract_page
from bot.core.extract.lang import detect_language
from bot.core.models import FetchedPage

STORY = [
    "The city council voted 7-2 on Tuesday to build forty kilometres of protected bicycle lanes "
    "across the northern districts, ending a debate that had split the chamber for two years.",
    "Supporters said the network would cut commuting times for thousands of residents and make "
    "the busiest junctions safer. Traffic accidents involving cyclists rose by a fifth last year, "
    "according to figures released by the transport department in March.",
    "Opponents warned that removing parking spaces would hurt small shops along Market Street. "
    "Councillor Dana Whitfield, who voted against the plan, said traders had not been consulted "
    "properly and asked for a review after the first phase is finished.",
    "Construction of the first section, between the railway station and the university campus, "
    "is due to start in April. The council expects the whole network to be complete by 2027, at "
    "a cost of about 38 million euros shared with the regional government.",
]

ARTICLE_PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>Council approves northern bike lane network | The Riverside Gazette</title>
  <meta property="og:title" content="Council approves northern bike lane network">
  <meta property="og:site_name" content="The Riverside Gazette">
  <meta name="author" content="Maria Jensen">
  <meta name="description" content="Forty kilometres of protected lanes will link the station and the campus.">
  <meta property="article:published_time" content="2025-03-11T09:30:00+01:00">
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
    <button>Accept all cookies</button> <a href="/privacy">Cookie settings</a></div>
  <header><nav class="main-nav"><ul>
    <li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
    <li><a href="/opinion">Opinion</a></li><li><a href="/subscribe">Subscribe</a></li>
  </ul></nav></header>
  <main>
    <article>
      <h1>Council approves northern bike lane network</h1>
      <p class="byline">By Maria Jensen, 11 March 2025</p>
      {"".join(f"<p>{p}</p>" for p in STORY)}
    </article>
    <aside class="related"><h3>Related stories</h3><ul>
      <li><a href="/a">Tram extension delayed again as costs soar past estimates</a></li>
      <li><a href="/b">Market Street traders launch petition against parking cuts</a></li>
      <li><a href="/c">Ten of the best cycling routes around the river this spring</a></li>
    </ul></aside>
  </main>
  <footer><p>© 2025 The Riverside Gazette. All rights reserved.</p>
    <a href="/contact">Contact us</a> <a href="/terms">Terms of use</a></footer>
</body>
</html>"""


def html_page(body: str, title: str = "Example", lang: str = "en") -> str:
    """A minimal page around `body`."""
    return f'<html lang="{lang}"><head><title>{title}</title></head><body>{body}</body></html>'


CHINESE = [
    "市议会周二以七票对两票通过决议，将在城市北部修建四十公里受保护的自行车道，结束了持续两年的争论。",
    "支持者表示，这一网络将缩短数千名居民的通勤时间，并使最繁忙的路口更加安全。"
    "根据交通部门三月份公布的数据，去年涉及骑车人的交通事故增加了五分之一。",
    "反对者警告说，取消停车位将伤害市场街沿线的小商店。投反对票的议员表示，商户没有得到充分咨询，"
    "并要求在第一阶段完成后进行审查。第一段工程将于四月开工，预计二〇二七年全部完工。",
]


# --- HTML -------------------------------------------------------------------------------------


def test_metadata_of_a_realistic_page() -> None:
    article = extract_html(ARTICLE_PAGE, "https://gazette.example/news/bike-lanes")
    assert article.title == "Council approves northern bike lane network"
    assert article.author == "Maria Jensen"
    assert article.date == "2025-03-11"
    assert article.sitename == "The Riverside Gazette"
    assert article.language == "en"
    assert (
        article.description
        == "Forty kilometres of protected lanes will link the station and the campus."
    )
    assert article.url == "https://gazette.example/news/bike-lanes"


def test_boilerplate_dropped_and_article_kept() -> None:
    text = extract_html(ARTICLE_PAGE).text
    for paragraph in STORY:
        assert paragraph in text
    # Paragraphs are separated by blank lines, in reading order.
    positions = [text.index(p) for p in STORY]
    assert positions == sorted(positions)
    assert "\n\n".join(STORY) in text
    for junk in (
        "We use cookies",
        "Accept all cookies",
        "Opinion",
        "Tram extension delayed",
        "Market Street traders launch",
        "All rights reserved",
        "Terms of use",
    ):
        assert junk not in text


def test_fallback_finds_text_trafilatura_misses() -> None:
    # An old-style page: no <p>, text in <font> split by <br>; trafilatura's precise mode finds
    # nothing here, readability does.
    body = "<center><font size=2>" + "<br><br>".join(STORY) + "</font></center>"
    page = html_page(body, title="Bike lanes approved")
    precise = trafilatura.extract(page, fast=True, favor_precision=True, include_comments=False)
    assert precise is None  # the premise: without the fallback there would be no article
    article = extract_html(page)
    for paragraph in STORY:
        assert paragraph in article.text
    assert article.title == "Bike lanes approved"


def test_lists_and_headings_inside_the_article_are_kept() -> None:
    body = (
        "<article><h1>How the vote went</h1>"
        f"<p>{STORY[0]}</p><h2>What happens next</h2><p>{STORY[3]}</p>"
        "<p>The plan has three phases:</p><ul><li>Station to campus in 2025</li>"
        "<li>Campus to the harbour in 2026</li><li>Harbour loop in 2027</li></ul>"
        f"<p>{STORY[1]}</p></article>"
    )
    text = extract_html(html_page(body)).text
    assert "What happens next" in text
    assert "- Campus to the harbour in 2026" in text


def test_language_detected_when_the_page_declares_none() -> None:
    german = (
        "<article><h1>Stadtrat beschließt neue Radwege</h1>"
        "<p>Der Stadtrat hat am Dienstag mit großer Mehrheit beschlossen, im Norden der Stadt vierzig "
        "Kilometer geschützte Radwege zu bauen. Die Debatte hatte die Fraktionen zwei Jahre lang "
        "gespalten, und auch nach der Abstimmung ist der Streit nicht beigelegt.</p>"
        "<p>Befürworter sagen, das Netz werde die Wege für Tausende Pendler verkürzen und die "
        "gefährlichsten Kreuzungen sicherer machen. Die Zahl der Unfälle mit Radfahrern ist im "
        "vergangenen Jahr um ein Fünftel gestiegen, wie das Verkehrsamt im März mitteilte.</p></article>"
    )
    page = f"<html><head><title>Radwege</title></head><body>{german}</body></html>"
    assert extract_html(page).language == "de"


def test_unparseable_and_empty_html() -> None:
    with pytest.raises(EmptyInputError):
        extract_html("   \n ")
    with pytest.raises(NotAnArticleError):
        extract_html("<html><body></body></html>")


def test_promos_inside_the_article_are_dropped() -> None:
    body = (
        f"<article><h1>Bike lanes approved</h1><p>{STORY[0]}</p>"
        "<p><strong>READ MORE:</strong> <a href='/tram'>Tram extension delayed again</a></p>"
        f"<p>{STORY[1]}</p>"
        "<p><a href='/petition'>Market Street traders launch petition against parking cuts</a></p>"
        f"<p>{STORY[2]}</p><p>Sign up for our free morning newsletter to get the news first.</p>"
        f"<p>{STORY[3]}</p><p>Tags:</p><p>cycling, council, transport</p></article>"
    )
    text = extract_html(html_page(body)).text
    assert text == "\n\n".join(["Bike lanes approved", *STORY])


# --- plain text and dispatch ------------------------------------------------------------------


def test_pasted_text_without_a_headline_has_no_title() -> None:
    article = article_from_text(" ".join(STORY))
    assert article.title is None
    assert article.text == " ".join(STORY)
    with pytest.raises(EmptyInputError):
        article_from_text(" \n\t\n")


def test_extract_page_dispatches_on_content_type() -> None:
    html = FetchedPage(
        "https://a.example/x",
        "https://a.example/y",
        200,
        "text/html",
        ARTICLE_PAGE.encode(),
        text=ARTICLE_PAGE,
    )
    assert extract_page(html).url == "https://a.example/y"
    assert extract_page(html).title == "Council approves northern bike lane network"
    plain = "\n\n".join(["Bike lanes approved", *STORY])
    page = FetchedPage(
        "https://a.example/t", "https://a.example/t", 200, "text/plain", plain.encode(), text=plain
    )
    assert extract_page(page).title == "Bike lanes approved"
    # A body the fetcher did not decode is decoded here.
    raw = FetchedPage(
        "https://a.example/u", "https://a.example/u", 200, "text/html", ARTICLE_PAGE.encode("utf-8")
    )
    assert STORY[2] in extract_page(raw).text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Der Stadtrat hat am Dienstag beschlossen, dass die Radwege gebaut werden und nicht mehr "
            "gestritten wird.",
            "de",
        ),
        (
            "Le conseil municipal a voté mardi pour la construction de pistes cyclables dans les "
            "quartiers du nord.",
            "fr",
        ),
        (
            "El ayuntamiento aprobó el martes la construcción de carriles para bicicletas en los "
            "barrios del norte.",
            "es",
        ),
        (
            "Городской совет во вторник проголосовал за строительство велосипедных дорожек на севере "
            "города.",
            "ru",
        ),
        ("市議会は火曜日、北部地区に自転車専用道路を建設する計画を承認した。", "ja"),
        ("시의회는 화요일 북부 지역에 자전거 도로를 건설하는 계획을 승인했다.", "ko"),
        (CHINESE[0], "zh"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code

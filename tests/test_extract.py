"""Article extraction from HTML, pasted text and PDF, and the quality gate."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import trafilatura
from pypdf import PdfWriter

from bot.core.errors import EmptyInputError, NotAnArticleError, UnreadableDocumentError
from bot.core.extract import (
    article_from_text,
    check_quality,
    extract_html,
    extract_page,
    extract_pdf,
)
from bot.core.extract_lang import detect_language
from bot.core.models import Article, FetchedPage

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


def _page(body: str, title: str = "Example", lang: str = "en") -> str:
    """A minimal page around `body`."""
    return f'<html lang="{lang}"><head><title>{title}</title></head><body>{body}</body></html>'


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
    page = _page(body, title="Bike lanes approved")
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
    text = extract_html(_page(body)).text
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


# --- the quality gate -------------------------------------------------------------------------

NAV_ONLY = _page(
    "<nav><ul>"
    + "".join(
        f'<li><a href="/{s}">{s.title()}</a></li>'
        for s in ("home", "world", "business", "sport", "culture", "travel", "weather", "video")
    )
    + "</ul></nav><footer><a href='/about'>About us</a> <a href='/jobs'>Jobs</a></footer>"
)
COOKIE_WALL = _page(
    "<div class='consent'><h2>We value your privacy</h2><p>We and our partners use cookies and "
    "similar technologies to store and access information on your device. You can accept or "
    "manage your choices below.</p><button>Accept all cookies</button><button>Manage your privacy "
    "settings</button></div>"
)
PAYWALL = _page(
    f"<article><h1>Inside the council's bike lane battle</h1><p>{STORY[0]}</p>"
    "<div class='paywall'><p>Subscribe to continue reading. Already a subscriber? Sign in.</p>"
    "<a href='/subscribe'>Get 3 months for $1</a></div></article>"
)
ERROR_PAGE = _page(
    "<h1>404 - Page not found</h1><p>Sorry, the page you are looking for does not exist or has "
    "been moved.</p><p><a href='/'>Go to the home page</a> or try searching.</p>",
    title="Page not found",
)
LINK_LIST = _page(
    "<h1>Latest news</h1><ul>"
    + "".join(
        f'<li><a href="/s{i}">{h}</a></li>'
        for i, h in enumerate(
            (
                "Tram extension delayed again as costs soar past the original estimates",
                "Market Street traders launch petition against the planned parking cuts",
                "Ten of the best cycling routes around the river to try this spring",
                "University campus to open a new library wing after five years of work",
                "Harbour festival returns with fireworks, food stalls and live music",
                "Regional government promises more money for rural bus services",
                "Local football club signs striker from second division rivals",
                "Weather warning issued as storm heads for the northern coast",
            )
        )
    )
    + "</ul>"
)


# A consent dialog whose legalese reads like prose and never says "accept cookies".
CONSENT_LEGALESE = _page(
    "<div class='cmp'><h2>Your privacy matters to us</h2>"
    "<p>We and our 842 partners store and/or access information on a device, such as unique "
    "identifiers in cookies, to process personal data. You may accept or manage your choices at "
    "any time, including your right to object where legitimate interest is used.</p>"
    "<p>These choices will be signalled to our partners and will not affect browsing data. With "
    "your consent, we and our partners may use precise geolocation data and identification "
    "through device scanning for measurement, audience research and service development.</p>"
    "<p>Personalised advertising and content, advertising and content measurement, audience "
    "research and services development are processed on the basis of your consent.</p>"
    "<button>I agree</button><button>More options</button></div>"
)
# The publisher's notice sits outside the article and the extractor drops it: the page-level
# notice tells the gate that the teaser is all there is.
PAYWALL_TEASER = _page(
    f"<article><h1>Inside the council's bike lane battle</h1><p>{STORY[0]}</p><p>{STORY[1]}</p>"
    f"<p>{STORY[2][:80]}...</p></article><div class='paywall-modal'><h2>Subscribe to continue "
    "reading</h2><p>Get unlimited access for $1 a week.</p><a href='/subscribe'>Subscribe</a></div>"
)


@pytest.mark.parametrize(
    "html",
    [NAV_ONLY, COOKIE_WALL, CONSENT_LEGALESE, PAYWALL, PAYWALL_TEASER, ERROR_PAGE, LINK_LIST],
    ids=[
        "nav-only",
        "cookie-wall",
        "consent-legalese",
        "paywall-stub",
        "paywall-teaser",
        "404-page",
        "link-list",
    ],
)
def test_gate_refuses_junk_pages(html: str) -> None:
    with pytest.raises(NotAnArticleError):
        extract_html(html)


def test_gate_refuses_empty_text() -> None:
    with pytest.raises(EmptyInputError):
        check_quality(Article(text="  \n"))


def test_gate_accepts_a_short_news_item() -> None:
    item = (
        "Police closed the Harbour Bridge for three hours on Sunday morning after a lorry shed its "
        "load of timber across both lanes. Nobody was injured, a spokesperson said, but traffic "
        "backed up for several kilometres on the coastal road while crews cleared the debris. "
        "The bridge reopened shortly after noon. The driver, a 45-year-old man from the region, "
        "will be questioned about how the load was secured, and the haulage company has been "
        "asked to explain its safety checks."
    )
    # Around it, the usual page furniture: a consent banner, a menu, a login link, a footer.
    page = ARTICLE_PAGE.replace("".join(f"<p>{p}</p>" for p in STORY), f"<p>{item}</p>").replace(
        '<li><a href="/subscribe">Subscribe</a></li>', "<li><a href='/login'>Log in</a></li>"
    )
    article = extract_html(page)
    assert item in article.text
    assert article.title == "Council approves northern bike lane network"


def test_gate_accepts_a_short_article_with_a_stray_wall_line() -> None:
    body = (
        "<article><h1>Bike lanes approved</h1>"
        + "".join(f"<p>{p}</p>" for p in STORY[:3])
        + "<p>Please enable JavaScript to view the comments.</p></article>"
    )
    article = extract_html(_page(body))
    assert STORY[2] in article.text


def test_gate_accepts_thai_text_without_spaces() -> None:
    thai = (
        "คณะกรรมการเมืองลงมติเมื่อวันอังคารให้สร้างเลนจักรยานที่มีการป้องกันระยะทางสี่สิบกิโลเมตรทั่วเขตทางตอนเหนือ"
        "ซึ่งเป็นการยุติการถกเถียงที่ดำเนินมานานสองปี ผู้สนับสนุนกล่าวว่าเครือข่ายนี้จะช่วยลดเวลาการเดินทางของประชาชน"
        "หลายพันคนและทำให้ทางแยกที่พลุกพล่านที่สุดปลอดภัยยิ่งขึ้น การก่อสร้างช่วงแรกจะเริ่มในเดือนเมษายน "
        "และคาดว่าเครือข่ายทั้งหมดจะแล้วเสร็จภายในปีสองพันยี่สิบเจ็ด ด้วยงบประมาณราวสามสิบแปดล้านยูโร"
    )
    article = article_from_text(thai)
    check_quality(article)
    assert article.language == "th"


def test_gate_accepts_an_article_that_mentions_cookies_in_its_footer() -> None:
    body = "<article>" + "".join(f"<p>{p}</p>" for p in STORY) + "</article>"
    body += "<div class='note'><p>This website uses cookies. Read our cookie policy.</p></div>"
    assert STORY[1] in extract_html(_page(body)).text


CHINESE = [
    "市议会周二以七票对两票通过决议，将在城市北部修建四十公里受保护的自行车道，结束了持续两年的争论。",
    "支持者表示，这一网络将缩短数千名居民的通勤时间，并使最繁忙的路口更加安全。"
    "根据交通部门三月份公布的数据，去年涉及骑车人的交通事故增加了五分之一。",
    "反对者警告说，取消停车位将伤害市场街沿线的小商店。投反对票的议员表示，商户没有得到充分咨询，"
    "并要求在第一阶段完成后进行审查。第一段工程将于四月开工，预计二〇二七年全部完工。",
]


def test_gate_accepts_a_cjk_article() -> None:
    body = "<article><h1>市议会批准北部自行车道网络</h1>" + "".join(f"<p>{p}</p>" for p in CHINESE)
    article = extract_html(_page(body + "</article>", lang="zh-CN"))
    assert CHINESE[1] in article.text
    assert article.language == "zh"


# --- plain text ---------------------------------------------------------------------------------


def test_pasted_article_keeps_body_and_finds_the_headline(shared_data: Path) -> None:
    raw = (shared_data / "articles" / "korea-engagement-2025-11-02.txt").read_text(encoding="utf-8")
    article = article_from_text(raw)
    assert article.title is not None
    assert article.title.startswith("'We Will Build Trust': South Korea's President Lee")
    assert article.language == "en"
    assert "A Divisive Path" in article.text
    assert "has no one to talk to in the South." in article.text
    check_quality(article)


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
    pdf = FetchedPage(
        "https://a.example/p.pdf",
        "https://a.example/p.pdf",
        200,
        "application/pdf",
        _pdf(_wrapped(STORY), title="Bike lanes"),
    )
    assert extract_page(pdf).title == "Bike lanes"


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


# --- PDF ----------------------------------------------------------------------------------------


def _wrapped(paragraphs: list[str], width: int = 80) -> list[str]:
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


def _pdf(lines: list[str], title: str | None = None) -> bytes:
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
    lines = _wrapped(STORY)
    # A word hyphenated across a line break comes back whole.
    lines[0:2] = [
        "The city council voted 7-2 on Tuesday to build forty kilo-",
        "metres of protected bicycle lanes across the northern districts, ending a",
        "debate that had split the chamber for two years.",
    ]
    article = extract_pdf(
        _pdf(lines, title="Bike lane network approved"), "https://a.example/r.pdf"
    )
    assert article.title == "Bike lane network approved"
    assert article.language == "en"
    assert STORY[0] in article.text
    assert STORY[3] in article.text
    assert "\n\n".join(STORY[1:3]) in article.text


def test_pdf_title_falls_back_to_the_first_line() -> None:
    article = extract_pdf(_pdf(["Bike lanes approved", "", *_wrapped(STORY)]))
    assert article.title == "Bike lanes approved"


def test_broken_and_encrypted_pdfs_are_unreadable() -> None:
    good = _pdf(_wrapped(STORY))
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


# --- shared data ----------------------------------------------------------------------------------

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
    # Of 7 bylines (one is the junk "個人"), 3 are found; all 6 site names are.
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


def test_promos_inside_the_article_are_dropped() -> None:
    body = (
        f"<article><h1>Bike lanes approved</h1><p>{STORY[0]}</p>"
        "<p><strong>READ MORE:</strong> <a href='/tram'>Tram extension delayed again</a></p>"
        f"<p>{STORY[1]}</p>"
        "<p><a href='/petition'>Market Street traders launch petition against parking cuts</a></p>"
        f"<p>{STORY[2]}</p><p>Sign up for our free morning newsletter to get the news first.</p>"
        f"<p>{STORY[3]}</p><p>Tags:</p><p>cycling, council, transport</p></article>"
    )
    text = extract_html(_page(body)).text
    assert text == "\n\n".join(["Bike lanes approved", *STORY])


def test_gate_accepts_a_results_table_with_a_little_prose() -> None:
    rows = "".join(
        f"<tr><td>{i}</td><td>{name}</td><td>{points}</td><td>{wins}</td></tr>"
        for i, (name, points, wins) in enumerate(
            [
                ("Kyle Busch", 5040, 5),
                ("Martin Truex Jr.", 5035, 7),
                ("Kevin Harvick", 5033, 4),
                ("Denny Hamlin", 5027, 6),
                ("Joey Logano", 2380, 2),
                ("Ryan Blaney", 2339, 1),
                ("Kyle Larson", 2339, 1),
                ("Brad Keselowski", 2318, 3),
                ("Clint Bowyer", 2290, 0),
                ("Chase Elliott", 2275, 3),
                ("William Byron", 2274, 0),
                ("Alex Bowman", 2257, 1),
            ],
            1,
        )
    )
    body = (
        "<article><h1>Final standings</h1><p>Here are the final standings of the 2019 Cup "
        "Series after 36 races, updated after the last race of the season!</p>"
        f"<table><tr><th>Pos.</th><th>Driver</th><th>Points</th><th>Wins</th></tr>{rows}</table>"
        "</article>"
    )
    text = extract_html(_page(body)).text
    assert "2 | Martin Truex Jr. | 5035 | 7" in text

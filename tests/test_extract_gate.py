"""The quality gate: junk pages refused, real articles (short, CJK, Thai, tables) accepted."""

from __future__ import annotations

import pytest

from bot.core.errors import EmptyInputError, NotAnArticleError
from bot.core.extract.html import article_from_text, check_quality, extract_html
from bot.core.models import Article
from tests.test_extract import ARTICLE_PAGE, CHINESE, STORY, html_page

NAV_ONLY = html_page(
    "<nav><ul>"
    + "".join(
        f'<li><a href="/{s}">{s.title()}</a></li>'
        for s in ("home", "world", "business", "sport", "culture", "travel", "weather", "video")
    )
    + "</ul></nav><footer><a href='/about'>About us</a> <a href='/jobs'>Jobs</a></footer>"
)
COOKIE_WALL = html_page(
    "<div class='consent'><h2>We value your privacy</h2><p>We and our partners use cookies and "
    "similar technologies to store and access information on your device. You can accept or "
    "manage your choices below.</p><button>Accept all cookies</button><button>Manage your privacy "
    "settings</button></div>"
)
PAYWALL = html_page(
    f"<article><h1>Inside the council's bike lane battle</h1><p>{STORY[0]}</p>"
    "<div class='paywall'><p>Subscribe to continue reading. Already a subscriber? Sign in.</p>"
    "<a href='/subscribe'>Get 3 months for $1</a></div></article>"
)
ERROR_PAGE = html_page(
    "<h1>404 - Page not found</h1><p>Sorry, the page you are looking for does not exist or has "
    "been moved.</p><p><a href='/'>Go to the home page</a> or try searching.</p>",
    title="Page not found",
)
LINK_LIST = html_page(
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
CONSENT_LEGALESE = html_page(
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
PAYWALL_TEASER = html_page(
    f"<article><h1>Inside the council's bike lane battle</h1><p>{STORY[0]}</p><p>{STORY[1]}</p>"
    f"<p>{STORY[2][:80]}...</p></article><div class='paywall-modal'><h2>Subscribe to continue "
    "reading</h2><p>Get unlimited access for $1 a week.</p><a href='/subscribe'>Subscribe</a></div>"
)
# The same with the notice in an <aside>, which extraction deletes from its tree early on.
PAYWALL_ASIDE = PAYWALL_TEASER.replace("<div class='paywall-modal'>", "<aside>").replace(
    "</div>", "</aside>"
)


@pytest.mark.parametrize(
    "html",
    [
        *(NAV_ONLY, COOKIE_WALL, CONSENT_LEGALESE, PAYWALL, PAYWALL_TEASER, PAYWALL_ASIDE),
        *(ERROR_PAGE, LINK_LIST),
    ],
    ids=[
        "nav-only",
        "cookie-wall",
        "consent-legalese",
        "paywall-stub",
        "paywall-teaser",
        "paywall-notice-aside",
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
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "<p>Please enable JavaScript to view the comments.</p></article>"
    )
    article = extract_html(html_page(body))
    assert "enable JavaScript" in article.text  # the premise: the wall line is in the text
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
    assert STORY[1] in extract_html(html_page(body)).text


def test_gate_accepts_a_cjk_article() -> None:
    body = "<article><h1>市议会批准北部自行车道网络</h1>" + "".join(f"<p>{p}</p>" for p in CHINESE)
    article = extract_html(html_page(body + "</article>", lang="zh-CN"))
    assert CHINESE[1] in article.text
    assert article.language == "zh"


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
    text = extract_html(html_page(body)).text
    assert "2 | Martin Truex Jr. | 5035 | 7" in text

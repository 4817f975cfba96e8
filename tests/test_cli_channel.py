"""`summarybot channel`: a public channel's digest from its preview, the page server playing t.me
(and the sites its posts link to)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.servers.article_server import ARTICLE_TITLE, PAGES, ArticleServer
from tests.servers.chats import local_technews
from tests.test_cli import _run

TME = PAGES / "tme"
# The fixture's newest post (103) was made at this moment; the test moves it to an hour ago.
NEWEST = datetime(2026, 12, 3, 7, 5, tzinfo=UTC)
_STAMP = re.compile(rb'datetime="([^"]+)"')


def _recent(page: bytes) -> bytes:
    """The page with every post moved so that its newest is an hour old (the CLI reads the
    real clock): 102 is 13 hours old, 101 two days, 100 and 99 over a week."""
    shift = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1) - NEWEST

    def moved(match: re.Match[bytes]) -> bytes:
        at = datetime.fromisoformat(match[1].decode()) + shift
        return b'datetime="' + at.isoformat().encode() + b'"'

    return _STAMP.sub(moved, page)


@pytest.fixture
def tme(monkeypatch: pytest.MonkeyPatch, article_server: ArticleServer) -> tuple[str, str]:
    """@technews on the page server, its links leading to the server's pages; a channel with
    its preview off, and a name nobody has. The two article URLs."""
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("TELEGRAM_WEB_BASE_URL", article_server.url("/"))
    article, longread = local_technews(article_server)
    html = "text/html; charset=utf-8"
    article_server.add_page("s/technews", _recent(article_server.pages["/s/technews"].body), html)
    older = _recent((TME / "technews-before-101.html").read_bytes())
    article_server.add_page("s/technews?before=101", older, html)
    for name, found in (("gonechan", "channel-page.html"), ("nosuchchan", "missing.html")):
        article_server.add_page(f"s/{name}", b"", "text/html", 302, {"Location": f"/{name}"})
        article_server.add_page(name, (TME / found).read_bytes(), html)
    return article, longread


async def test_a_week_of_posts_each_item_linked_to_its_post(
    capsys: pytest.CaptureFixture[str], article_server: ArticleServer, tme: tuple[str, str]
) -> None:
    article, longread = tme
    status, out, err = await _run(capsys, "channel", "https://t.me/s/TechNews", "--since", "7d")
    assert status == 0, err
    assert out.startswith("**Digest of @technews** since ")
    items = [line for line in out.splitlines() if line[:1].isdigit()]
    assert len(items) == 2  # 103, a photo with a line, is too short to be an item
    assert items[0].startswith(f"1. [{ARTICLE_TITLE}]({article}) — ")
    assert items[0].endswith(" · [post](https://t.me/technews/101)")
    assert f"({longread}) — " in items[1]
    assert items[1].endswith(" · [post](https://t.me/technews/102)")
    assert "No model wrote these lines" in out  # no key: extractive lines, and said so
    pages = [seen.path for seen in article_server.requests if seen.path.startswith("/s/")]
    assert pages == ["/s/technews", "/s/technews?before=101"]  # 101 is within the week


async def test_the_period_limits_the_posts_and_the_pages_read(
    capsys: pytest.CaptureFixture[str], article_server: ArticleServer, tme: tuple[str, str]
) -> None:
    _, longread = tme
    status, out, err = await _run(capsys, "channel", "@technews")  # a day, by default
    assert status == 0, err
    items = [line for line in out.splitlines() if line[:1].isdigit()]
    assert len(items) == 1
    assert items[0].startswith(f"1. [{longread}]({longread}) — ")  # text: no title
    assert items[0].endswith("[post](https://t.me/technews/102)")
    status, out, err = await _run(capsys, "channel", "@technews", "--since", "12h")
    assert status == 0, err
    assert "1." not in out
    assert out.startswith("@technews posted nothing to digest since ")
    assert "?before=101" not in {seen.path for seen in article_server.requests}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("@nosuchchan", "There is no @nosuchchan on Telegram"),
        ("t.me/gonechan", "@gonechan is on Telegram but shows no public posts"),
    ],
)
@pytest.mark.usefixtures("tme")
async def test_a_channel_that_cannot_be_read_is_one_line_and_a_failure(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    status, out, err = await _run(capsys, "channel", name)
    assert status == 1
    assert out == ""
    assert err.startswith(f"summarybot: {message}")
    assert len(err.splitlines()) == 1  # no traceback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["@no"], "'@no' is not a public channel's name"),
        (["example.com/technews"], "is not a public channel's name"),
        (["@technews", "--since", "30m"], "'30m' is not a period"),
        (["@technews", "--since", "8d"], "a week at most"),
    ],
)
async def test_bad_arguments_are_refused_before_anything_is_read(
    capsys: pytest.CaptureFixture[str], article_server: ArticleServer, args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        await _run(capsys, "channel", *args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert article_server.requests == []

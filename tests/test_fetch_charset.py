"""Charset resolution: legacy encodings decode without mojibake whatever the hints say."""

from __future__ import annotations

import codecs

import pytest

from bot.core.charset import decode_text, looks_binary
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher
from tests.servers.article_server import CHARSET_TEXTS, ArticleServer

FRENCH = (
    "Le ministère a annoncé mercredi que les élèves des écoles primaires pourront déjeuner à "
    "la cantine gratuitement dès la rentrée. « C'est une décision très attendue », a déclaré "
    "la déléguée syndicale."
)


@pytest.mark.parametrize("charset", sorted(CHARSET_TEXTS))
@pytest.mark.parametrize("hint", ["header", "meta", "none", "lying"])
async def test_legacy_pages_decode_from_the_server(
    article_server: ArticleServer, charset: str, hint: str
) -> None:
    async with SafeFetcher(FetchPolicy(allow_private_networks=True)) as fetcher:
        page = await fetcher.fetch(article_server.url(f"/charset/{charset}?hint={hint}"))
    assert page.text is not None
    assert CHARSET_TEXTS[charset] in page.text
    assert page.charset is not None
    # The codec used reads the page the same way the page's own charset does.
    assert page.body.decode(page.charset) == page.body.decode(charset)


@pytest.mark.parametrize(
    ("body", "expected_charset"),
    [
        (codecs.BOM_UTF8 + "Привет, мир".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "Привет, мир".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "Привет, мир".encode("utf-16-be"), "utf-16"),
    ],
)
def test_a_bom_wins_over_everything(body: bytes, expected_charset: str) -> None:
    text, charset = decode_text(body, "text/html; charset=windows-1251")
    assert text == "Привет, мир"
    assert charset == expected_charset


def test_the_header_charset_comes_before_the_meta() -> None:
    body = '<meta charset="shift_jis"><p>Привет</p>'.encode("cp1251")
    assert decode_text(body, "text/html; charset=windows-1251") == (body.decode("cp1251"), "cp1251")


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1251">',
        "<meta charset=windows-1251>",
        "<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=windows-1251'>",
    ],
)
def test_the_meta_charset_is_read(meta: str) -> None:
    body = f"<html><head>{meta}</head><body>Привет, мир</body></html>".encode("cp1251")
    text, charset = decode_text(body, "text/html")
    assert "Привет, мир" in text
    assert charset == "cp1251"


@pytest.mark.parametrize("label", ["x-unknown-charset", "base64", "rot13", '"', "utf-7"])
def test_unknown_or_non_text_labels_fall_through(label: str) -> None:
    body = "<p>Здравствуйте, +ADw-script+AD4- это обычный текст.</p>".encode()
    text, charset = decode_text(body, f"text/html; charset={label}")
    assert text == body.decode()
    assert charset == "utf-8"


def test_a_latin1_server_default_yields_to_the_meta() -> None:
    body = '<meta charset="windows-1251"><p>Привет, мир</p>'.encode("cp1251")
    text, _ = decode_text(body, "text/html; charset=ISO-8859-1")
    assert "Привет, мир" in text


def test_a_latin1_server_default_yields_to_utf8_content() -> None:
    text, charset = decode_text(FRENCH.encode(), "text/html; charset=iso-8859-1")
    assert (text, charset) == (FRENCH, "utf-8")


def test_a_true_latin1_label_is_kept() -> None:
    # Detection alone would guess cp1250 here and turn è into č.
    text, charset = decode_text(FRENCH.encode("latin-1"), "text/html; charset=ISO-8859-1")
    assert (text, charset) == (FRENCH, "cp1252")


def test_euc_kr_extensions_decode() -> None:
    # 똠 is outside strict EUC-KR but in its common superset (cp949), as browsers read it.
    body = "똠방각하 이야기".encode("cp949")
    assert decode_text(body, "text/html; charset=euc-kr") == ("똠방각하 이야기", "cp949")


def test_empty_and_binary_noise_never_crash() -> None:
    assert decode_text(b"", None) == ("", "utf-8")
    text, _ = decode_text(bytes(range(256)), "text/plain; charset=utf-8")
    assert isinstance(text, str)


@pytest.mark.parametrize(
    ("body", "binary"),
    [
        ("Привет, мир.\r\n\tВторая строка.".encode("cp1251"), False),
        ("日本語の文章です。".encode("shift_jis"), False),
        (codecs.BOM_UTF16_LE + "Text in UTF-16.".encode("utf-16-le"), False),
        (b"An \x1b[1mANSI\x1b[0m log\f", False),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(64), True),
        (bytes(range(1, 9)) * 100, True),
    ],
)
def test_binary_data_is_told_from_text_in_any_charset(body: bytes, binary: bool) -> None:
    assert looks_binary(body) is binary

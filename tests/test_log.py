"""Secrets never reach a log line."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Iterator
from urllib.parse import quote, quote_plus

import pytest

from bot.log import REDACTED, LogFormat, RedactingFilter, configure_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_token_in_url_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction")
    caplog.handler.addFilter(RedactingFilter())
    logger.warning("POST %s failed", f"https://api.telegram.org/bot{TOKEN}/sendMessage")
    assert TOKEN not in caplog.text
    assert f"bot{REDACTED}/sendMessage" in caplog.text


def test_configured_secret_and_bearer_are_redacted() -> None:
    redact = RedactingFilter(["sk-test-secret-key"]).redact
    assert "sk-test-secret-key" not in redact("key=sk-test-secret-key")
    assert redact("Authorization: Bearer abcdefgh12345") == f"Authorization: Bearer {REDACTED}"


def test_exception_text_is_redacted() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        raise RuntimeError(f"url /bot{TOKEN}/getMe")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert record.exc_text is not None
    assert TOKEN not in record.exc_text


def test_http_libraries_are_kept_at_warning() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", secrets=[TOKEN])
        for name in ("aiohttp.client", "httpx2", "openai"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
        assert root.level == logging.DEBUG
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


@pytest.mark.parametrize(
    "spelling",
    [
        TOKEN,
        TOKEN.replace(":", "%3A"),
        TOKEN.replace(":", "%3a"),
        "".join(f"%{byte:02X}" for byte in TOKEN.encode()),  # every character encoded
    ],
)
def test_the_configured_token_is_redacted_in_every_spelling(spelling: str) -> None:
    line = f"GET https://api.telegram.org/bot{spelling}/getFile?x=1"
    assert (
        RedactingFilter([TOKEN]).redact(line)
        == f"GET https://api.telegram.org/bot{REDACTED}/getFile?x=1"
    )


@pytest.mark.parametrize("colon", [":", "%3A", "%3a"])
def test_any_token_is_redacted_with_its_colon_percent_encoded(colon: str) -> None:
    line = f"GET /file/bot{TOKEN.replace(':', colon)}/photos/1.jpg"
    assert RedactingFilter().redact(line) == f"GET /file/bot{REDACTED}/photos/1.jpg"


@pytest.mark.parametrize(
    ("secret", "spelling"),
    [
        ("p@ss/w:rd+é", quote("p@ss/w:rd+é", safe="")),
        ("p@ss/w:rd+é", quote("p@ss/w:rd+é", safe="").lower()),
        ("sk-test secret", quote_plus("sk-test secret")),
    ],
)
def test_configured_secrets_are_redacted_percent_encoded(secret: str, spelling: str) -> None:
    assert (
        RedactingFilter([secret]).redact(f"url ?key={spelling}&a=b") == f"url ?key={REDACTED}&a=b"
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://summarybot:hunter2@db.internal:5432/bot",
        "postgres://summarybot:hun%40ter2@db.internal/bot",
        "postgresql://:hunter2@db.internal/bot",
        "http://user:hunter2@proxy.internal:3128",
    ],
)
def test_passwords_in_urls_are_redacted(url: str) -> None:
    redacted = RedactingFilter().redact(f"could not connect to {url} (refused)")
    assert "hunter2" not in redacted
    assert "hun%40ter2" not in redacted
    assert f":{REDACTED}@" in redacted
    assert redacted.endswith(" (refused)")


@pytest.fixture
def log_to() -> Iterator[Callable[..., io.StringIO]]:
    """`log_to(format, secrets)` sends every log line to a buffer, as `summarybot run` would."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level

    def configure(log_format: LogFormat = "text", secrets: list[str] | None = None) -> io.StringIO:
        buffer = io.StringIO()
        configure_logging("INFO", secrets or [], log_format=log_format, stream=buffer)
        return buffer

    yield configure
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_json_lines_carry_the_callers_fields_redacted(
    log_to: Callable[..., io.StringIO],
) -> None:
    buffer = log_to("json", [TOKEN])
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    logging.getLogger("test.json").info(
        "served %s", url, extra={"chat": 7, "stages": {"fetch": 0.5, "url": url}}
    )
    entry = json.loads(buffer.getvalue())
    assert entry["level"] == "INFO"
    assert entry["logger"] == "test.json"
    assert entry["message"] == f"served https://api.telegram.org/bot{REDACTED}/getMe"
    assert entry["chat"] == 7
    assert entry["stages"] == {"fetch": 0.5, "url": f"https://api.telegram.org/bot{REDACTED}/getMe"}
    assert entry["time"].endswith("+00:00")


def test_json_exceptions_are_one_redacted_line(log_to: Callable[..., io.StringIO]) -> None:
    buffer = log_to("json", ["sk-live-abcdef123456"])
    try:
        raise RuntimeError("key sk-live-abcdef123456 refused")
    except RuntimeError:
        logging.getLogger("test.json").exception("LLM call failed")
    (line,) = buffer.getvalue().splitlines()
    entry = json.loads(line)
    assert "RuntimeError: key [REDACTED] refused" in entry["exception"]
    assert "sk-live-abcdef123456" not in line


def test_text_is_the_default_format(log_to: Callable[..., io.StringIO]) -> None:
    buffer = log_to()
    logging.getLogger("test.text").warning("plain %s", "words")
    assert buffer.getvalue().rstrip().endswith("WARNING test.text: plain words")


@pytest.mark.parametrize(
    "line",
    [
        "POST /hook X-Telegram-Bot-Api-Secret-Token: abc",
        "setWebhook url=https://example.org/hook&secret_token=abc&max_connections=40",
        '{"api_key": "abc", "model": "m"}',
        "headers {'api-key': 'abc'}",
        "connect password=abc host=db",
    ],
)
def test_short_secrets_named_as_secrets_are_redacted(line: str) -> None:
    # "abc" is too short to be looked for everywhere, but not where a secret is named.
    redacted = RedactingFilter(["abc"]).redact(line)
    assert "abc" not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize(
    "spelling",
    [
        TOKEN.replace(":", "%253A"),  # a URL holding the token, itself percent-encoded
        TOKEN.replace(":", "\\u003a"),  # as JSON may write it
    ],
)
def test_the_token_is_redacted_encoded_twice_or_json_escaped(spelling: str) -> None:
    assert TOKEN.split(":")[1] not in RedactingFilter([TOKEN]).redact(f"url=bot{spelling}/getMe")
    assert TOKEN.split(":")[1] not in RedactingFilter().redact(f"url=bot{spelling}/getMe")


def test_a_secret_json_escaped_in_a_line_is_redacted() -> None:
    secret = 'pässwörd"secret'
    line = json.dumps({"note": f"tried {secret}"})
    assert "w\\u00f6rd" in line
    assert RedactingFilter([secret]).redact(line) == '{"note": "tried [REDACTED]"}'

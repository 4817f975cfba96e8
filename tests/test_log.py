"""Secrets never reach a log line."""

from __future__ import annotations

import logging
import sys

import pytest

from bot.log import REDACTED, RedactingFilter, configure_logging

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

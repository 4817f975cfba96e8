"""Logging set-up that never lets a secret reach a log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# A Telegram bot token ("123456789:AA...") wherever it appears, including inside
# https://api.telegram.org/bot<token>/method URLs, where its colon may be percent-encoded.
_TELEGRAM_TOKEN = re.compile(r"\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{20,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
# The password of any URL's userinfo (DATABASE_URL, a proxy URL), however short it is.
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s]+(?=@)")
REDACTED = "[REDACTED]"

# Libraries that log request URLs (with the token in them) at INFO.
_NOISY_LOGGERS = ("aiohttp", "httpx2", "httpcore2", "openai", "telegram.ext.Updater")
# Extraction libraries that warn about every damaged file they still read ("EOF marker not
# found"): news for a server's log, noise before a command line's one-line answer.
_EXTRACTION_LOGGERS = ("pypdf", "trafilatura", "readability", "htmldate", "courlan", "justext")


def _spellings(secret: str) -> re.Pattern[str]:
    """`secret` as written or with any of its characters percent-encoded (a space also as +)."""
    parts = []
    for char in secret:
        encoded = "".join(f"%{byte:02x}" for byte in char.encode())
        plus = r"|\+" if char == " " else ""
        parts.append(f"(?:{re.escape(char)}|(?i:{encoded}){plus})")
    return re.compile("".join(parts))


class RedactingFilter(logging.Filter):
    """Replaces secrets in every record with [REDACTED] before any handler sees them."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Short values would redact ordinary words; the longest first, so none leaves a tail.
        chosen = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)
        self._secrets = [_spellings(secret) for secret in chosen]

    def redact(self, message: str) -> str:
        """The message with secrets, token-like strings, URL passwords and bearer keys removed."""
        for secret in self._secrets:
            message = secret.sub(REDACTED, message)
        message = _TELEGRAM_TOKEN.sub(REDACTED, message)
        message = _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED, message)
        return _BEARER.sub(lambda m: m.group(1) + REDACTED, message)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record once, redacted, so arguments cannot reintroduce a secret."""
        message = self.redact(record.getMessage())
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.msg, record.args = message, None
        return True


def configure_logging(
    level: str = "INFO", secrets: Iterable[str] = (), *, quiet_extraction: bool = False
) -> None:
    """Log to stderr with secrets redacted; chatty HTTP libraries stay at WARNING, and with
    `quiet_extraction` the extraction libraries say nothing short of CRITICAL."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _EXTRACTION_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL if quiet_extraction else logging.NOTSET)

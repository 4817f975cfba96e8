"""Logging set-up that never lets a secret reach a log line."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]

# A Telegram bot token ("123456789:AA...") wherever it appears, including inside
# https://api.telegram.org/bot<token>/method URLs, where its colon may be percent-encoded.
# Encoded twice (%253A) when a URL holding one is itself put in a query string; \u003a in JSON.
_TELEGRAM_TOKEN = re.compile(r"\d{5,}(?::|%3[Aa]|%253[Aa]|\\u003[Aa])[A-Za-z0-9_-]{20,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
# The password of any URL's userinfo (DATABASE_URL, a proxy URL), however short it is.
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s]+(?=@)")
# A value named as a secret (a header, a form field, a JSON key), however short it is: the
# webhook secret in Telegram's header or setWebhook's form, an API key, a password.
_NAMED_SECRET = re.compile(
    r"(?i)((?:x-telegram-bot-api-secret-token|secret[_-]token|api[_-]?key|password|passwd)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;]+"
)
REDACTED = "[REDACTED]"
# What every record carries anyway; the rest of its attributes are a caller's `extra`.
_STANDARD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


# Libraries that log request URLs (with the token in them) at INFO.
_NOISY_LOGGERS = ("aiohttp", "httpx2", "httpcore2", "openai", "telegram.ext.Updater")
# Extraction libraries that warn about every damaged file they still read ("EOF marker not
# found"): news for a server's log, noise before a command line's one-line answer.
_EXTRACTION_LOGGERS = ("pypdf", "trafilatura", "readability", "htmldate", "courlan", "justext")


def _spellings(secret: str) -> re.Pattern[str]:
    """`secret` as written or with any of its characters percent-encoded, once or twice (%253A),
    a space also as +, and as JSON writes it (\\u003a, \\")."""
    parts = []
    for char in secret:
        encoded = "".join(f"%{byte:02x}" for byte in char.encode())
        twice = encoded.replace("%", "%25")
        json_form = re.escape(json.dumps(char)[1:-1])
        plus = r"|\+" if char == " " else ""
        unicode = f"|(?i:\\\\u{ord(char):04x})" if ord(char) < 0x10000 else ""
        parts.append(
            f"(?:{re.escape(char)}|(?i:{encoded})|(?i:{twice})|{json_form}{unicode}{plus})"
        )
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
        message = _NAMED_SECRET.sub(lambda m: m.group(1) + REDACTED, message)
        return _BEARER.sub(lambda m: m.group(1) + REDACTED, message)

    def redact_value(self, value: Any) -> Any:
        """`value` with every string inside it (lists and dicts too) redacted."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {key: self.redact_value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_value(item) for item in value]
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the record once, redacted, so arguments cannot reintroduce a secret."""
        message = self.redact(record.getMessage())
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for name, value in _extra_fields(record).items():
            setattr(record, name, self.redact_value(value))
        record.msg, record.args = message, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the caller's `extra` fields, and
    the exception or stack when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= _extra_fields(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_FIELDS}


def configure_logging(
    level: str = "INFO",
    secrets: Iterable[str] = (),
    *,
    quiet_extraction: bool = False,
    log_format: LogFormat = "text",
    stream: TextIO | None = None,
) -> None:
    """Log to `stream` (stderr) as text or JSON lines with secrets redacted; chatty HTTP
    libraries stay at WARNING, and with `quiet_extraction` the extraction libraries say
    nothing short of CRITICAL."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _EXTRACTION_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL if quiet_extraction else logging.NOTSET)

"""The `summarybot` command line: run the bot, or extract, summarize and ask from a shell."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

from bot.config import Settings, load_settings
from bot.core.errors import ConfigError, SummarybotError
from bot.core.llm.client import DeltaCallback
from bot.core.models import Article, SummaryFormat, SummaryLength
from bot.core.service import Service
from bot.core.store.types import UserPrefs
from bot.log import RedactingFilter, configure_logging
from bot.texts import (
    answer_footer,
    answer_markdown,
    describe_error,
    normalize_language,
    summary_footer,
    summary_markdown,
)

logger = logging.getLogger(__name__)

EXIT_USER_ERROR = 1
EXIT_CONFIG_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="summarybot", description="A Telegram bot that reads articles for you."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="run the Telegram bot (polling, or webhook with WEBHOOK_URL)")
    playground = commands.add_parser(
        "playground", help="try the real bot in a browser: no token, no key needed"
    )
    playground.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0: any)")
    playground.add_argument("--open", action="store_true", help="open the page in a browser")
    playground.add_argument("--reset", action="store_true", help="wipe playground.db first")
    source_help = "a web link, a file (.html, .txt, .pdf), or - for standard input"

    extract = commands.add_parser("extract", help="print the article extracted from SOURCE")
    extract.add_argument("source", metavar="SOURCE", help=source_help)
    extract.add_argument("--json", action="store_true", help="print one JSON object")

    summarize = commands.add_parser("summarize", help="summarize SOURCE")
    summarize.add_argument("source", metavar="SOURCE", help=source_help)
    summarize.add_argument("--json", action="store_true", help="print JSON with metadata and usage")
    summarize.add_argument(
        "--length", choices=[length.value for length in SummaryLength], default=None
    )
    summarize.add_argument("--lang", default=None, help="summary language, e.g. en, ru, de")
    summarize.add_argument(
        "--format", choices=[style.value for style in SummaryFormat], default=None
    )

    ask = commands.add_parser("ask", help="answer a question about SOURCE")
    ask.add_argument("source", metavar="SOURCE", help=source_help)
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print JSON with usage")
    ask.add_argument("--lang", default=None, help="answer language")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `summarybot` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG_ERROR, RedactingFilter())
    secrets = _secrets(settings)
    redaction = RedactingFilter(secrets)
    # Without -v, a command prints its result or one line of error, and nothing else.
    configure_logging(
        "DEBUG" if args.verbose else "WARNING", secrets, quiet_extraction=not args.verbose
    )
    if args.command == "run":
        return _run_bot(settings, redaction)
    if args.command == "playground":
        return _run_playground(settings, args, redaction)
    command = _COMMANDS[args.command]
    try:
        return asyncio.run(command(args, settings, sys.stdout))
    except SummarybotError as exc:
        logger.debug("command failed", exc_info=True)
        return _fail(describe_error(exc, _ui_language()), EXIT_USER_ERROR, redaction)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED, redaction)


def _run_bot(settings: Settings, redaction: RedactingFilter) -> int:
    from bot.telegram.app import run_bot  # PTB is imported only when the bot runs

    return _serve(settings, redaction, lambda: run_bot(settings))


def _run_playground(
    settings: Settings, args: argparse.Namespace, redaction: RedactingFilter
) -> int:
    from bot.playground.run import run_playground  # PTB and the emulator load only here

    def start() -> None:
        run_playground(
            settings, sys.stdout, port=args.port, open_browser=args.open, reset=args.reset
        )

    return _serve(settings, redaction, start)


def _serve(settings: Settings, redaction: RedactingFilter, start: Callable[[], None]) -> int:
    """Run a long-lived front end with the bot's logging; a bad setting is one line, status 2."""
    configure_logging(settings.log_level, _secrets(settings))
    try:
        start()
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG_ERROR, redaction)
    except KeyboardInterrupt:  # Ctrl+C before the bot's own signal handling is in place
        return _fail("interrupted", EXIT_INTERRUPTED, redaction)
    return 0


async def _extract(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with _service(settings) as service:
        article = await _load(service, args.source)
    _emit(out, args.json, _article_json(article), _article_text(article), streamed=False)
    return 0


async def _load(service: Service, source: str) -> Article:
    stdin_data = sys.stdin.buffer.read() if source == "-" else None
    return await service.read_source(source, stdin_data)


async def _summarize(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    prefs = UserPrefs(
        length=SummaryLength(args.length) if args.length else None,
        format=SummaryFormat(args.format) if args.format else None,
        language=args.lang,
    )
    async with _service(settings) as service:
        article = await _load(service, args.source)
        stream = None if args.json else _printer(out)
        summary = await service.summarize(article, prefs, on_delta=stream)
    payload = {
        "article": _article_json(article),
        "summary": asdict(summary) | {"extractive": summary.extractive},
    }
    streamed = stream is not None and not summary.extractive
    if streamed and (footer := summary_footer(summary, _ui_language())):
        out.write(f"\n\n{footer}")  # the streamed text ends before the coverage note
    text = summary_markdown(summary, _ui_language())
    _emit(out, args.json, payload, text, streamed=streamed)
    return 0


async def _ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with _service(settings) as service:
        article = await _load(service, args.source)
        stream = None if args.json else _printer(out)
        result = await service.answer(
            article, args.question, UserPrefs(language=args.lang), on_delta=stream
        )
    payload = asdict(result) | {"extractive": result.extractive}
    streamed = bool(stream and not result.extractive)
    if streamed and (footer := answer_footer(result, _ui_language())):
        out.write(f"\n\n{footer}")  # the streamed text ends before the note
    _emit(out, args.json, payload, answer_markdown(result, _ui_language()), streamed=streamed)
    return 0


def _ui_language() -> str:
    """The catalog language of the shell's locale (LC_ALL, LC_MESSAGES, LANG), else English."""
    # Labels, notes and errors are the tool talking, so they follow the user's locale, not the
    # article: a Chinese article summarized in a Russian shell gets Russian labels.
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(name):
            return normalize_language(value)
    return normalize_language(None)


def _emit(
    out: TextIO, as_json: bool, payload: dict[str, Any], text: str, *, streamed: bool
) -> None:
    """Print a result: one JSON object, or the text unless it already streamed to the terminal."""
    if as_json:
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write("\n" if streamed else text.strip() + "\n")


@asynccontextmanager
async def _service(settings: Settings) -> AsyncIterator[Service]:
    """The core service for one command: no database, extraction in one forked worker."""
    service = await Service.open(settings.service_config(remember=False))
    try:
        yield service
    finally:
        await service.aclose()


def _printer(out: TextIO) -> DeltaCallback:
    """Print streamed text as it arrives."""

    async def write(delta: str) -> None:
        out.write(delta)
        out.flush()

    return write


def _article_json(article: Article) -> dict[str, Any]:
    """Metadata first and the (long) text last, so the object reads well in a terminal."""
    fields = asdict(article)
    text = fields.pop("text")
    return fields | {"word_count": len(text.split()), "text": text}


def _article_text(article: Article) -> str:
    header = [article.title or "(untitled)"]
    meta = {
        "URL": article.url,
        "Site": article.sitename,
        "Author": article.author,
        "Date": article.date,
        "Language": article.language,
    }
    header += [f"{name}: {value}" for name, value in meta.items() if value]
    return "\n".join(header) + "\n\n" + article.text.strip() + "\n"


def _secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold, so that no log or error line shows one."""
    values = (settings.telegram_bot_token, settings.openai_api_key, settings.webhook_secret)
    secrets = [value.get_secret_value() for value in values if value is not None]
    database_password = urlsplit(settings.database_url).password
    if database_password:
        secrets.append(unquote(database_password))
    return secrets


def _fail(message: str, status: int, redaction: RedactingFilter) -> int:
    """Print the one error line, redacted like every log line (it may echo what the user typed)."""
    print(f"summarybot: {redaction.redact(message)}", file=sys.stderr)
    return status


Command = Callable[[argparse.Namespace, Settings, TextIO], Coroutine[Any, Any, int]]
_COMMANDS: dict[str, Command] = {"extract": _extract, "summarize": _summarize, "ask": _ask}

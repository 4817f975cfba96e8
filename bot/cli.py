"""The `summarybot` command line: run the bot, or extract, summarize, ask and digest a public
channel from a shell."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TextIO

from bot import terminal
from bot.cli_channel import add_channel_parser, print_channel_digest
from bot.core.errors import BlockedAddressError, ConfigError, SummarybotError
from bot.core.llm.prompts import is_language_code
from bot.core.models import Article, SummaryFormat, SummaryLength
from bot.core.store.types import UserPrefs
from bot.log import RedactingFilter, configure_logging
from bot.texts import (
    answer_footer,
    answer_markdown,
    describe_error,
    normalize_language,
    summary_footer,
    summary_markdown,
    text,
)

# The settings, the service and below them openai, trafilatura and aiohttp take most of a
# second to import: only a command that runs imports them, never --help or a usage error.
if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.service import Service

logger = logging.getLogger(__name__)

EXIT_USER_ERROR = 1
EXIT_CONFIG_ERROR = 2
EXIT_INTERRUPTED = 130
# What a program killed by SIGPIPE returns: the reader of a pipe (`| head`) left early.
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
SETTINGS_HELP = (
    "Settings are read from environment variables and from a .env file in the current "
    "directory (the environment wins). .env.example lists every setting with its meaning."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="summarybot",
        description="A Telegram bot that reads articles for you, and its command line.",
        epilog=SETTINGS_HELP,
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log debug details to standard error"
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="what to do (COMMAND -h for more)"
    )
    commands.add_parser(
        "run",
        help="run the Telegram bot (polling, or webhook with WEBHOOK_URL)",
        description="Run the Telegram bot until SIGINT or SIGTERM: long polling, or a webhook "
        "server when WEBHOOK_URL is set. TELEGRAM_BOT_TOKEN is required.",
        epilog=SETTINGS_HELP,
    )
    playground = commands.add_parser(
        "playground",
        help="try the real bot in a browser: no token, no key needed",
        description="Start the real bot against a built-in Telegram emulator and serve a "
        "Telegram-like chat page on 127.0.0.1. The LLM is whatever the settings say, else the "
        "extractive mode. Its state goes to playground.db.",
        epilog=SETTINGS_HELP,
    )
    playground.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0: any)")
    playground.add_argument("--open", action="store_true", help="open the page in a browser")
    playground.add_argument("--reset", action="store_true", help="wipe playground.db first")
    source_help = "a web link, a file (.html, .txt, .pdf), or - for standard input"

    extract = commands.add_parser("extract", help="print the article extracted from SOURCE")
    extract.add_argument("source", metavar="SOURCE", help=source_help)
    extract.add_argument("--json", action="store_true", help="print one JSON object")

    summarize = commands.add_parser("summarize", help="summarize SOURCE", epilog=SETTINGS_HELP)
    summarize.add_argument("source", metavar="SOURCE", help=source_help)
    summarize.add_argument("--json", action="store_true", help="print JSON with metadata and usage")
    summarize.add_argument(
        "--length",
        choices=[length.value for length in SummaryLength],
        default=None,
        help="how long the summary is (default: SUMMARY_LENGTH, else medium)",
    )
    summarize.add_argument(
        "--lang",
        type=_language,
        default=None,
        help="summary language, e.g. en, ru, de (default: SUMMARY_LANGUAGE, else the article's)",
    )
    summarize.add_argument(
        "--format",
        choices=[style.value for style in SummaryFormat],
        default=None,
        help="a gist and key points, or a gist and one paragraph (default: SUMMARY_FORMAT)",
    )

    ask = commands.add_parser("ask", help="answer a question about SOURCE", epilog=SETTINGS_HELP)
    ask.add_argument("source", metavar="SOURCE", help=source_help)
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print JSON with usage")
    ask.add_argument(
        "--lang",
        type=_language,
        default=None,
        help="answer language, e.g. en, ru (default: the question's)",
    )
    add_channel_parser(commands, SETTINGS_HELP)
    commands.add_parser(
        "health",
        help="ask a running bot's /healthz (METRICS_PORT); exit status 0 when it is ready",
        description="Exit with status 0 when the bot on METRICS_PORT answers /healthz with 200 "
        "(its store and the Bot API answer), 1 otherwise: the container's HEALTHCHECK.",
        epilog=SETTINGS_HELP,
    )
    return parser


class _Version(argparse.Action):
    """--version, looking the version up only when asked (package metadata is slow to load)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"{parser.prog} {version('summarybot')}")
        parser.exit()


def _language(value: str) -> str:
    """--lang must name a real language, as SUMMARY_LANGUAGE must."""
    if not is_language_code(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 639-1 language code (such as en, ru, de or pt-BR)"
        )
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `summarybot` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except BrokenPipeError:
        return _reader_left()


def _main(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG_ERROR, RedactingFilter())
    secrets = settings.secrets()
    redaction = RedactingFilter(secrets)
    # Without -v, a command prints its result or one line of error, and nothing else.
    configure_logging(
        "DEBUG" if args.verbose else "WARNING",
        secrets,
        quiet_extraction=not args.verbose,
        log_format=settings.log_format,
    )
    if args.command == "run":
        return _run_bot(settings, redaction)
    if args.command == "playground":
        return _run_playground(settings, args, redaction)
    command = _COMMANDS[args.command]
    try:
        import asyncio  # not for --help: it takes a quarter of the start-up

        return asyncio.run(command(args, settings, sys.stdout))
    except SummarybotError as exc:
        logger.debug("command failed", exc_info=True)
        return _fail(_cli_message(exc), EXIT_USER_ERROR, redaction)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED, redaction)


def _cli_message(error: SummarybotError) -> str:
    """The error's sentence, and on a command line the setting that would lift a refusal."""
    message = describe_error(error, _ui_language(), quote=None)  # a path is shown whole
    if isinstance(error, BlockedAddressError):
        message += " " + text("cli.allow_private_networks", _ui_language())
    return message


def _reader_left() -> int:
    """Stop quietly when the reader of standard output went away (`summarybot ... | head`)."""
    # Python flushes stdout once more on exit; pointed at /dev/null, that flush cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


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
    configure_logging(settings.log_level, settings.secrets(), log_format=settings.log_format)
    try:
        start()
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG_ERROR, redaction)
    except KeyboardInterrupt:  # Ctrl+C before the bot's own signal handling is in place
        return _fail("interrupted", EXIT_INTERRUPTED, redaction)
    return 0


async def _health(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.ops.probe import probe_health

    redaction = RedactingFilter(settings.secrets())
    if settings.metrics_port is None:
        return _fail(text("cli.no_metrics_port", _ui_language()), EXIT_CONFIG_ERROR, redaction)
    reason = await probe_health(settings.metrics_listen, settings.metrics_port)
    if reason is not None:
        message = text("cli.unhealthy", _ui_language(), reason=reason)
        return _fail(message, EXIT_USER_ERROR, redaction)
    return 0


async def _extract(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with _service(settings) as service:
        article = await _load(service, args.source)
    if args.json:
        return _print_json(out, _article_json(article))
    out.write(_article_text(article))
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
    printer = None if args.json else terminal.Printer(out)
    async with _service(settings) as service:
        article = await _load(service, args.source)
        if printer and (heading := _heading(article)):
            printer.show(heading + "\n\n")
        summary = await service.summarize(
            article, prefs, on_delta=printer.delta if printer else None
        )
    if printer is None:
        payload = {
            "article": _article_json(article),
            "summary": asdict(summary) | {"extractive": summary.extractive},
        }
        return _print_json(out, payload)
    if summary.extractive:  # nothing streamed
        printer.show(summary_markdown(summary, _ui_language()).strip() + "\n")
    else:
        printer.end_stream(summary_footer(summary, _ui_language()))
    return 0


async def _ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    printer = None if args.json else terminal.Printer(out)
    async with _service(settings) as service:
        article = await _load(service, args.source)
        result = await service.answer(
            article,
            args.question,
            UserPrefs(language=args.lang),
            on_delta=printer.delta if printer else None,
        )
    if printer is None:
        return _print_json(out, asdict(result) | {"extractive": result.extractive})
    if result.extractive:
        printer.show(answer_markdown(result, _ui_language()).strip() + "\n")
    else:
        printer.end_stream(answer_footer(result, _ui_language()))
    return 0


async def _channel(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async with _service(settings) as service:
        return await print_channel_digest(service, args, out, _ui_language())


def _print_json(out: TextIO, payload: dict[str, Any]) -> int:
    out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return 0


def _heading(article: Article) -> str:
    """The first line of a summary: which article it is and where it came from (empty for
    untitled text from a file or a pipe)."""
    title = f"**{article.title}**" if article.title else None
    return " — ".join(part for part in (title, article.url) if part)


def _ui_language() -> str:
    """The catalog language of the shell's locale (LC_ALL, LC_MESSAGES, LANG), else English."""
    # Labels, notes and errors are the tool talking, so they follow the user's locale, not the
    # article: a Chinese article summarized in a Russian shell gets Russian labels.
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(name):
            return normalize_language(value)
    return normalize_language(None)


@asynccontextmanager
async def _service(settings: Settings) -> AsyncIterator[Service]:
    """The core service for one command: no database, extraction in one forked worker."""
    from bot.core.service import Service

    service = await Service.open(settings.service_config(remember=False))
    try:
        yield service
    finally:
        await service.aclose()


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


def _fail(message: str, status: int, redaction: RedactingFilter) -> int:
    """Print the one error line, redacted like every log line (it may echo what the user typed)."""
    print(f"summarybot: {redaction.redact(message)}", file=sys.stderr)
    return status


Command = Callable[[argparse.Namespace, "Settings", TextIO], Coroutine[Any, Any, int]]
_COMMANDS: dict[str, Command] = {
    "extract": _extract,
    "summarize": _summarize,
    "ask": _ask,
    "channel": _channel,
    "health": _health,
}

"""`summarybot channel @name [--since 1d]`: a public channel's digest read from its web preview,
as Markdown (rendered in a terminal), each item linked to the post that carried it."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from bot import terminal
from bot.core.digest.period import FIRST_PERIOD, parse_period
from bot.core.reading.extractive import escape_markdown
from bot.texts import describe_error, text

# As in bot.cli: the service and what it imports load only when the command runs.
if TYPE_CHECKING:
    from bot.core.digest.build import DigestEntry, Unreadable
    from bot.core.digest.channels import ChannelDigest, TextPost
    from bot.core.service import Service


def add_channel_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], epilog: str
) -> None:
    """The `channel` subcommand."""
    channel = commands.add_parser(
        "channel",
        help="digest a public channel's recent posts, read from its t.me preview",
        description="Read a public channel's web preview (TELEGRAM_WEB_BASE_URL/s/<name>) and "
        "print the digest of its posts since PERIOD ago: each article it linked and each longer "
        "post in one line, linked to its post.",
        epilog=epilog,
    )
    channel.add_argument(
        "channel", type=_channel, metavar="CHANNEL", help="@name or a t.me/name link"
    )
    channel.add_argument(
        "--since",
        type=_period,
        default=FIRST_PERIOD,
        metavar="PERIOD",
        help="how far back: 12h, 1d, 3d, 7d (a week at most; default 1d)",
    )


def _channel(value: str) -> str:
    """CHANNEL must be a public name, as /follow's must."""
    from bot.core.errors import ChannelNameError
    from bot.core.follow.reader import channel_key  # reads pages with lxml: not for --help

    try:
        return channel_key(value)
    except ChannelNameError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a public channel's name: use @name or a t.me/name link"
        ) from None


def _period(value: str) -> timedelta:
    """--since takes what /digest takes: hours or days, a week at most."""
    period = parse_period(value)
    if period is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a period such as 12h, 1d or 3d (a week at most)"
        )
    return period


async def print_channel_digest(
    service: Service, args: argparse.Namespace, out: TextIO, ui: str
) -> int:
    """Print the digest of `args.channel` since `args.since` ago; errors are raised."""
    since = datetime.now(UTC) - args.since
    digest = await service.previews.digest(args.channel, since, None)
    terminal.Printer(out).show(channel_markdown(digest, since, ui))
    return 0


def channel_markdown(digest: ChannelDigest, since: datetime, ui: str) -> str:
    """The digest as Markdown: its articles, the links it could not read, its longer posts."""
    name, at = digest.channel, f"{since:%Y-%m-%d %H:%M} UTC"
    if digest.empty:
        return text("cli.channel_empty", ui, name=name, since=at) + "\n"
    post = _PostLinks(name, text("channel.post", ui))
    blocks = [text("cli.channel_title", ui, name=name, since=at)]
    blocks += [_entry(n, entry, post) for n, entry in enumerate(digest.links.entries, 1)]
    if digest.texts:
        blocks.append(text("cli.channel_posts", ui))
        start = len(digest.links.entries) + 1
        blocks += [_text_post(n, item, post) for n, item in enumerate(digest.texts, start)]
    if digest.links.unreadable:
        blocks.append(text("cli.channel_unreadable", ui))
        blocks += [_unreadable(item, post, ui) for item in digest.links.unreadable]
    if digest.extractive:
        blocks.append(f"_{text('digest.extractive', ui)}_")
    return "\n\n".join(blocks) + "\n"


class _PostLinks:
    """Markdown links to a public channel's posts."""

    def __init__(self, channel: str, label: str) -> None:
        self.base, self.label = f"https://t.me/{channel.removeprefix('@')}", label

    def __call__(self, post_id: int | None) -> str:
        return f"[{self.label}]({self.base}/{post_id})"


def _entry(number: int, entry: DigestEntry, post: _PostLinks) -> str:
    title = _plain(entry.title or entry.url)
    line = _plain(entry.line.text)
    return f"{number}. [{title}]({entry.url}) — {line} · {post(entry.shared.first.message_id)}"


def _text_post(number: int, item: TextPost, post: _PostLinks) -> str:
    return f"{number}. {_plain(item.line.text)} · {post(item.post.post_id)}"


def _unreadable(item: Unreadable, post: _PostLinks, ui: str) -> str:
    shared = item.shared.first
    reason = _plain(describe_error(item.error, ui))
    return f"- {shared.url} — {reason} · {post(shared.message_id)}"


def _plain(value: str) -> str:
    """A title or a line on one line, its Markdown characters escaped."""
    return escape_markdown(" ".join(value.split()))

"""Markdown as a terminal shows it: bold and italics as ANSI styles, bullets, no escapes.

Summaries are Markdown: right for a file or a pipe, noise (`**`, `\\-`) in a terminal. This
renders the little Markdown a summary uses, line by line, so a streamed reply can be shown
as its lines complete, pairing emphasis markers by the rule in `bot.emphasis`. `Printer` shows
the command line's replies: rendered in a terminal, as they are in a pipe or a file.
"""

from __future__ import annotations

import re
from typing import TextIO

from bot.emphasis import emphasize

BOLD, NOT_BOLD = "\x1b[1m", "\x1b[22m"
ITALIC, NOT_ITALIC = "\x1b[3m", "\x1b[23m"
BULLET = "•"

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_CODE = re.compile(r"`([^`]+)`")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# An escaped character waits as its code point between NULs, so it is no marker to the rules.
_HELD = re.compile("\0(\\d+)\0")


def _inline(line: str) -> str:
    """One line's inline Markdown as ANSI styles and plain text."""
    line = _ESCAPE.sub(lambda m: f"\0{ord(m[1])}\0", line)
    line = _CODE.sub(r"\1", line)
    line = _LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m[1]} ({m[2]})", line)
    line = emphasize(line, (BOLD, NOT_BOLD), (ITALIC, NOT_ITALIC))
    return _HELD.sub(lambda m: chr(int(m[1])), line)


def render_line(line: str) -> str:
    """One Markdown line as a terminal shows it."""
    if heading := _HEADING.match(line):
        return BOLD + _inline(heading.group(1)) + NOT_BOLD
    if _RULE.match(line):
        return "─" * 20
    if bullet := _BULLET.match(line):
        return f"{bullet.group(1)}  {BULLET} {_inline(bullet.group(2))}"
    return _inline(line)


def render(markdown: str) -> str:
    """A whole Markdown text as a terminal shows it."""
    return "\n".join(render_line(line) for line in markdown.split("\n"))


class LineRenderer:
    """Renders streamed Markdown one completed line at a time."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, delta: str) -> str:
        """What can be shown now that `delta` has arrived (whole lines only)."""
        self._pending += delta
        done, newline, self._pending = self._pending.rpartition("\n")
        return render(done) + newline if newline else ""

    def finish(self) -> str:
        """The last, unterminated line."""
        rest, self._pending = self._pending, ""
        return render(rest) if rest else ""


class Printer:
    """Shows a reply: as Markdown in a pipe or a file, rendered in a terminal."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lines = LineRenderer() if out.isatty() else None

    def show(self, markdown: str) -> None:
        """Print whole Markdown text."""
        self._out.write(render(markdown) if self._lines else markdown)
        self._out.flush()

    async def delta(self, piece: str) -> None:
        """Print streamed text as it arrives (in a terminal, as each line completes)."""
        self._out.write(self._lines.feed(piece) if self._lines else piece)
        self._out.flush()

    def end_stream(self, footer: str) -> None:
        """End the streamed text, then the note that follows it (if any)."""
        if self._lines:
            self._out.write(self._lines.finish())
        self.show(f"\n\n{footer}\n" if footer else "\n")

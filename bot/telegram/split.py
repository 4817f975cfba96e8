"""Telegram HTML to its visible text, its length as Telegram limits it, and split into messages.

Lengths are counted the way Telegram counts them after parsing the markup; we count UTF-16 code
units, which is never less than Telegram's character count, so a part within the limit here is
within it there too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_MESSAGE_LENGTH = 4096


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: characters outside the BMP (most emoji) count 2."""
    # Encoding runs in C; "surrogatepass" keeps lone surrogates countable instead of failing.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_HTML_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);?"
)


@dataclass(frozen=True)
class _Unit:
    """One visible character with its markup, or (char == "") a tag."""

    raw: str
    char: str = ""
    tag: str = ""
    closing: bool = False


def _units(markup: str) -> list[_Unit]:
    units: list[_Unit] = []
    position = 0
    for match in _HTML_TOKEN.finditer(markup):
        units.extend(_Unit(char, char) for char in markup[position : match.start()])
        raw = match.group()
        if match.group("tag"):
            units.append(_Unit(raw, tag=match.group("tag").lower(), closing=bool(match["close"])))
        else:
            units.append(_Unit(raw, html.unescape(raw)))
        position = match.end()
    units.extend(_Unit(char, char) for char in markup[position:])
    return units


def html_to_plain(markup: str) -> str:
    """The text of Telegram HTML without its markup, as Telegram would show it."""
    # One regex pass instead of _units: this runs for every reply, most of which need no split.
    return _HTML_TOKEN.sub(_visible, markup).strip()


def _visible(match: re.Match[str]) -> str:
    return "" if match.group("tag") else html.unescape(match.group())


def visible_length(markup: str) -> int:
    """Length of the HTML's text as Telegram limits it (UTF-16 units, after parsing)."""
    return utf16_length(html_to_plain(markup))


# Each match ends where a part may end: before a paragraph break, a line break, after a
# sentence's punctuation (and closing quotes), or before a space.
_PREFERRED_CUTS = (
    re.compile(r"(?=\n[ \t]*\n)"),
    re.compile(r"(?=\n)"),
    re.compile(r"[.!?…][\"')\]»]*(?=\s)"),
    re.compile(r"(?=\s)"),
)


def _cut(text: str, start: int, end: int) -> int:
    """Where to end a part that may reach `end`: the best boundary in its second half."""
    if end >= len(text):
        return len(text)
    floor = start + (end - start) // 2
    for pattern in _PREFERRED_CUTS:
        found = [m.end() for m in pattern.finditer(text, floor, end + 1) if start < m.end() <= end]
        if found:
            return found[-1]
    return end


def _part_ranges(text: str, budget: int) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    start = 0
    while text[start:].strip():
        end, used = start, 0
        while end < len(text) and used + utf16_length(text[end]) <= budget:
            used += utf16_length(text[end])
            end += 1
        cut = max(_cut(text, start, end), start + 1)
        ranges.append((start, cut))
        start = _next_start(text, cut)
    return ranges


def _next_start(text: str, cut: int) -> int:
    """Skip the whitespace at a cut, but keep the indentation of the line that follows it."""
    end = cut
    while end < len(text) and text[end].isspace():
        end += 1
    newline = text.rfind("\n", cut, end)
    return newline + 1 if newline >= 0 else end


def _render_range(units: list[_Unit], chars: list[int], start: int, end: int) -> str:
    """The markup of characters start..end-1, with the tags open there closed and reopened."""
    opened: list[_Unit] = []
    for unit in units[: chars[start]]:
        if unit.tag and unit.closing:
            _pop_tag(opened, unit.tag)
        elif unit.tag:
            opened.append(unit)
    body = [unit.raw for unit in opened]
    for unit in units[chars[start] : chars[end - 1] + 1]:
        if unit.tag and unit.closing:
            _pop_tag(opened, unit.tag)
        elif unit.tag:
            opened.append(unit)
        body.append(unit.raw)
    body.extend(f"</{unit.tag}>" for unit in reversed(opened))
    return "".join(body).strip()


def _pop_tag(opened: list[_Unit], tag: str) -> None:
    for index in range(len(opened) - 1, -1, -1):
        if opened[index].tag == tag:
            del opened[index:]
            return


def split_message(markup: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split Telegram HTML into messages within `limit`, numbered "(i/n) " when there are several.

    Cuts prefer paragraph, then line, sentence and word boundaries; a tag open at a cut is
    closed at the end of one part and reopened at the start of the next.
    """
    if visible_length(markup) <= limit:
        return [markup.strip()] if html_to_plain(markup) else []
    units = _units(markup.strip())
    chars = [index for index, unit in enumerate(units) if unit.char]
    text = "".join(units[index].char for index in chars)
    if utf16_length(text.strip()) <= limit:
        return [markup.strip()] if text.strip() else []
    count = 1
    while True:
        label = f"({count}/{count}) "
        if limit <= utf16_length(label):
            raise ValueError(f"limit {limit} is too small to split a message")
        ranges = _part_ranges(text, limit - utf16_length(label))
        if len(str(len(ranges))) <= len(str(count)):
            break
        count = len(ranges)
    total = len(ranges)
    return [
        f"({number}/{total}) {_render_range(units, chars, start, end)}"
        for number, (start, end) in enumerate(ranges, start=1)
    ]

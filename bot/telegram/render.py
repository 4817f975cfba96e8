"""Telegram-facing formatting: the LLM's Markdown as Telegram HTML, split to Telegram's limits.

Telegram's HTML mode accepts a handful of tags and rejects the whole message on any unknown or
unbalanced tag, so the Markdown is parsed (markdown-it-py, owned by this module) and rendered
tag by tag, escaping everything else. Lengths are counted the way Telegram counts them after
parsing the markup; we count UTF-16 code units, which is never less than Telegram's character
count, so a part within the limit here is within it there too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.emphasis import emphasize

MAX_MESSAGE_LENGTH = 4096
_SAFE_SCHEMES = frozenset({"http", "https", "tg"})
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")


class _Markdown(MarkdownIt):
    """CommonMark that keeps every link as a link so that `safe_url` decides, not the parser."""

    def validateLink(self, url: str) -> bool:
        """Accept all: an unsafe link is then rendered as its bare text instead of raw Markdown."""
        return True


# Emphasis is paired by `bot.emphasis` instead, and escaped characters stay apart from text
# (no text_join) so that an escaped `*` is never taken for a marker.
_MARKDOWN = (
    _Markdown("commonmark", {"html": False})
    .enable(["strikethrough", "table"])
    .disable(["emphasis", "text_join"])
)


def escape(text: str) -> str:
    """Escape text for Telegram HTML (only <, > and & are special outside attributes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return escape(value).replace('"', "&quot;")


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: characters outside the BMP (most emoji) count 2."""
    # Encoding runs in C; "surrogatepass" keeps lone surrogates countable instead of failing.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def safe_url(url: str) -> str | None:
    """The URL when Telegram may link it (absolute http, https or tg), else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not (parts.netloc or parts.scheme == "tg"):
        return None
    return url.strip()


# --- Markdown -> Telegram HTML ----------------------------------------------------------------


@dataclass
class _Renderer:
    """Walks markdown-it tokens and writes Telegram HTML, one block separator at a time."""

    parts: list[str] = field(default_factory=list)
    separator: str = ""
    lists: list[int | None] = field(default_factory=list)  # next number, None for bullets
    quote_depth: int = 0
    cells: int = 0  # cells written in the current table row

    def write(self, text: str) -> None:
        self.parts.append(text)

    def start_block(self) -> None:
        # Separators are written lazily so that closing tags hug their content.
        if self.parts and self.separator:
            self.write(self.separator)
        self.separator = ""

    def end_block(self) -> None:
        self.separator = "\n" if self.lists else "\n\n"

    def render(self, tokens: list[Token]) -> str:
        for token in tokens:
            self.block(token)
        return "".join(self.parts)

    def block(self, token: Token) -> None:  # noqa: PLR0912 -- one branch per token type
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            self.start_block()
            if kind == "heading_open":
                self.write("<b>")
        elif kind == "heading_close":
            self.write("</b>")
            self.end_block()
        elif kind == "paragraph_close":
            self.end_block()
        elif kind == "inline":
            self.inline(token.children or [])
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            self.lists.append(int(start) if start else 1 if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
            self.end_block()
        elif kind == "list_item_open":
            self.start_block()
            self.write(self.list_marker())
        elif kind == "blockquote_open":
            self.start_block()
            self.quote_depth += 1
            if self.quote_depth == 1:  # Telegram has no nested quotes
                self.write("<blockquote>")
        elif kind == "blockquote_close":
            self.quote_depth -= 1
            if self.quote_depth == 0:
                self.write("</blockquote>")
            self.end_block()
        elif kind in ("fence", "code_block"):
            self.start_block()
            self.code_block(token)
            self.end_block()
        elif kind == "hr":
            self.start_block()
            self.write("———")
            self.end_block()
        elif kind in ("tr_open", "tr_close", "th_open", "td_open"):
            self.table_cell(kind)
        elif kind == "table_close":
            self.end_block()

    def list_marker(self) -> str:
        indent = "  " * (len(self.lists) - 1)
        number = self.lists[-1]
        if number is None:
            return f"{indent}• "
        self.lists[-1] = number + 1
        return f"{indent}{number}. "

    def code_block(self, token: Token) -> None:
        code = escape(token.content.rstrip("\n"))
        language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
        if _LANGUAGE.fullmatch(language):
            self.write(f'<pre><code class="language-{language}">{code}</code></pre>')
        else:
            self.write(f"<pre>{code}</pre>")

    def table_cell(self, kind: str) -> None:
        # Telegram has no tables: one line per row, cells joined by " | ".
        if kind == "tr_open":
            self.start_block()
            self.cells = 0
        elif kind == "tr_close":
            self.separator = "\n"
        else:
            if self.cells:
                self.write(" | ")
            self.cells += 1

    def inline(self, children: list[Token]) -> None:
        self.write(_inline_html(children))


# A link, code span or strike is held as "\0<index>\0" while emphasis is paired around it, so
# emphasis never starts or ends inside one and the tags stay balanced.
_HELD = re.compile("\0(\\d+)\0")


def _inline_html(children: list[Token]) -> str:
    """Inline tokens as Telegram HTML, emphasis paired by `bot.emphasis` one line at a time."""
    text: list[str] = []
    held: list[str] = []
    index = 0
    while index < len(children):
        child = children[index]
        if child.type == "text":
            text.append(escape(child.content))
        elif child.type in ("softbreak", "hardbreak"):
            text.append("\n")
        else:
            end = _closing(children, index)
            text.append(f"\0{len(held)}\0")
            held.append(_atom_html(child, children[index + 1 : end]))
            index = end
        index += 1
    paired = emphasize("".join(text), ("<b>", "</b>"), ("<i>", "</i>"))
    return _HELD.sub(lambda match: held[int(match[1])], paired)


def _closing(children: list[Token], start: int) -> int:
    """The index of the token closing children[start], or start when it opens nothing."""
    if not children[start].type.endswith("_open"):
        return start
    prefix, depth = children[start].type.removesuffix("open"), 0
    for index in range(start, len(children)):
        depth += {f"{prefix}open": 1, f"{prefix}close": -1}.get(children[index].type, 0)
        if depth == 0:
            return index
    return len(children) - 1


def _atom_html(token: Token, inner: list[Token]) -> str:
    """A held token as HTML: a code span, an escaped character, an image, a link or a strike."""
    if token.type == "link_open":
        url = safe_url(str(token.attrGet("href") or ""))
        content = _inline_html(inner)
        return f'<a href="{_escape_attribute(url)}">{content}</a>' if url else content
    if token.type == "s_open":
        return f"<s>{_inline_html(inner)}</s>"
    if token.type == "code_inline":
        return f"<code>{escape(token.content)}</code>"
    return escape(token.content)  # text_special (an escape or entity), image: its alt text


def markdown_to_telegram_html(markdown: str) -> str:
    """Render the LLM's Markdown as Telegram HTML: supported tags only, always balanced."""
    return _Renderer().render(_MARKDOWN.parse(markdown)).strip()


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def close_partial_markdown(markdown: str) -> str:
    """Close what a streamed Markdown prefix left open (bold, strike, code spans) in its last block.

    Open code fences need nothing: a fence that is never closed runs to the end of the text.
    """
    fences = list(_FENCE.finditer(markdown))
    if len(fences) % 2:
        return markdown
    # Only the text after the last code block can hold open inline markup.
    after_code = markdown[fences[-1].end() :] if fences else markdown
    tail = re.split(r"\n\s*\n", after_code)[-1].rstrip()
    if not tail:
        return markdown
    closers = ""
    outside_code = re.sub(r"`[^`]*`", "", tail)
    if tail.count("`") % 2:
        closers += "`"
        outside_code = outside_code.rsplit("`", 1)[0]
    for marker in ("**", "~~"):
        if outside_code.count(marker) % 2:
            closers += marker
    return markdown.rstrip() + closers if closers else markdown


def render_partial_markdown(markdown: str) -> str:
    """Telegram HTML for a prefix of a streamed Markdown answer (balanced at every prefix)."""
    return markdown_to_telegram_html(close_partial_markdown(markdown))


# --- Telegram HTML -> text, lengths and splitting --------------------------------------------

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

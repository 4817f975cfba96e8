"""Telegram-facing formatting: the LLM's Markdown as Telegram HTML (split.py cuts it to size).

Telegram's HTML mode accepts a handful of tags and rejects the whole message on any unknown or
unbalanced tag, so the Markdown is parsed (markdown-it-py, owned by this module) and rendered
tag by tag, escaping everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.emphasis import emphasize

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

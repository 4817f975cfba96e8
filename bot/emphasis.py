"""Which `*` and `_` markers pair up as emphasis: one rule for Telegram and for terminals.

CommonMark pairs markers inside words (`2*3*4` italicizes the 3) and leaves a bold whose
closer touches a word unclosed (`**Note:**text`); summaries read better with a simpler rule:
markers pair within a line of text, a single `*` or `_` only at word edges, and whatever
does not pair up stays as written.
"""

from __future__ import annotations

import re

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
# A single `*` or `_` pair; `_` only at word edges, so snake_case and 2*3*4 are left alone.
_ITALIC = re.compile(
    r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"
)


# A styled bold span waits as "\x01<index>\x01" while italics are paired around it.
_HELD = re.compile("\x01(\\d+)\x01")


def emphasize(text: str, bold: tuple[str, str], italic: tuple[str, str]) -> str:
    """`text` with its paired markers replaced by the given opening and closing styles."""
    # Italics pair inside a bold span or around whole ones, never across one, so styles nest.
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(bold[0] + _italicize(match[1] or match[2], italic) + bold[1])
        return f"\x01{len(spans) - 1}\x01"

    outside = _italicize(_BOLD.sub(hold, text), italic)
    return _HELD.sub(lambda match: spans[int(match[1])], outside)


def _italicize(text: str, italic: tuple[str, str]) -> str:
    return _ITALIC.sub(lambda match: italic[0] + (match[1] or match[2]) + italic[1], text)

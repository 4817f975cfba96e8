"""Cutting the `<think>` blocks of local reasoning models (Qwen3, DeepSeek-R1) from replies."""

from __future__ import annotations

OPEN, CLOSE = "<think>", "</think>"


def _partial_tag(text: str, tag: str) -> int:
    """Length of the longest end of `text` that could be the start of `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkFilter:
    """Removes `<think>...</think>` blocks from a reply that arrives piece by piece.

    Text inside a block, or that may be the start of a tag split across pieces, is held back
    until it is known; a block still open when the reply ends is thinking that never finished.
    """

    def __init__(self) -> None:
        self._held = ""
        self._inside = False
        self._after_block = False  # the blank lines a model writes after its thinking go too

    def feed(self, piece: str) -> str:
        """The part of the reply so far that is safe to show now."""
        text, shown = self._held + piece, []
        while text:
            tag = CLOSE if self._inside else OPEN
            found = text.find(tag)
            if found < 0:
                keep = _partial_tag(text, tag)
                if not self._inside:
                    shown.append(self._visible(text[: len(text) - keep]))
                self._held = text[len(text) - keep :]
                return "".join(shown)
            if not self._inside:
                shown.append(self._visible(text[:found]))
            self._inside = not self._inside
            self._after_block = not self._inside
            text = text[found + len(tag) :]
        self._held = ""
        return "".join(shown)

    def end(self) -> str:
        """What was held back when the reply ends: a tag's start that never completed."""
        held, self._held = ("" if self._inside else self._held), ""
        return self._visible(held)

    def _visible(self, text: str) -> str:
        if self._after_block:
            text = text.lstrip()
            self._after_block = not text
        return text


def strip_think(text: str) -> str:
    """`text` without its `<think>` blocks."""
    cut = ThinkFilter()
    return cut.feed(text) + cut.end()

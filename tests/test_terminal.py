"""Markdown as the command line shows it in a terminal."""

from __future__ import annotations

import pytest

from bot.terminal import BOLD, ITALIC, NOT_BOLD, NOT_ITALIC, LineRenderer, render


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("## Key points", f"{BOLD}Key points{NOT_BOLD}"),
        ("- one\n* two", "  • one\n  • two"),
        ("  - nested", "    • nested"),
        (
            "a **bold** and _slanted_ word",
            f"a {BOLD}bold{NOT_BOLD} and {ITALIC}slanted{NOT_ITALIC} word",
        ),
        ("2*3*4 = 24 and snake_case_name", "2*3*4 = 24 and snake_case_name"),
        ("an **unclosed marker", "an **unclosed marker"),
        ("*a **b* c**", f"*a {BOLD}b* c{NOT_BOLD}"),
        ("*see **this***", f"{ITALIC}see {BOLD}this{NOT_BOLD}{NOT_ITALIC}"),
        (r"1\. not a list, \*not italic\*, a \- b", "1. not a list, *not italic*, a - b"),
        (
            "[the report](https://example.org/r) and `code`",
            "the report (https://example.org/r) and code",
        ),
        ("[https://example.org](https://example.org)", "https://example.org"),
    ],
)
def test_markdown_is_rendered_for_a_terminal(markdown: str, shown: str) -> None:
    assert render(markdown) == shown


def test_streamed_markdown_is_rendered_as_lines_complete() -> None:
    lines = LineRenderer()
    assert lines.feed("**Gi") == ""
    assert lines.feed("st.**\n\n- on") == f"{BOLD}Gist.{NOT_BOLD}\n\n"
    assert lines.feed("e\n- two") == "  • one\n"
    assert lines.finish() == "  • two"
    assert lines.finish() == ""

"""Markdown -> Telegram HTML, splitting and lengths, validated by the emulator's strict parser."""

from __future__ import annotations

import random
import re

import pytest

from bot.playground.emulator.server import EntityParseError, parse_html
from bot.telegram.render import markdown_to_telegram_html, render_partial_markdown
from bot.telegram.split import html_to_plain, split_message, utf16_length, visible_length

CONVERSIONS = [
    ("plain text", "plain text"),
    ("**bold** and __strong__", "<b>bold</b> and <b>strong</b>"),
    ("*it* and _it_", "<i>it</i> and <i>it</i>"),
    ("~~gone~~", "<s>gone</s>"),
    ("`a < b && c`", "<code>a &lt; b &amp;&amp; c</code>"),
    ("# Title\n\ntext", "<b>Title</b>\n\ntext"),
    ("### Deep *title*", "<b>Deep <i>title</i></b>"),
    ("- one\n- two\n* three", "• one\n• two\n\n• three"),
    ("1. one\n2. two", "1. one\n2. two"),
    ("3. three\n4. four", "3. three\n4. four"),
    ("- outer\n  - inner", "• outer\n  • inner"),
    ("intro\n\n- item\n\noutro", "intro\n\n• item\n\noutro"),
    ("> quoted **b**", "<blockquote>quoted <b>b</b></blockquote>"),
    ("> > nested", "<blockquote>nested</blockquote>"),
    ("```python\nx = 1 < 2\n```", '<pre><code class="language-python">x = 1 &lt; 2</code></pre>'),
    ("```\nno language\n```", "<pre>no language</pre>"),
    ('```evil"><b>\nx\n```', "<pre>x</pre>"),
    ("    indented code", "<pre>indented code</pre>"),
    (
        "[site](https://example.org/a?b=1&c=2)",
        '<a href="https://example.org/a?b=1&amp;c=2">site</a>',
    ),
    ('[q](https://e.org/"x")', '<a href="https://e.org/%22x%22">q</a>'),
    ("[rel](/path)", "rel"),
    ("[mail](mailto:a@b.c)", "mail"),
    ("[x](javascript:alert(1))", "x"),
    ("[x](JavaScript:alert(1)) [d](data:text/html,hi)", "x d"),
    ("<b>raw html</b> & <script>", "&lt;b&gt;raw html&lt;/b&gt; &amp; &lt;script&gt;"),
    ("a\nb", "a\nb"),
    ("![alt text](https://e.org/i.png)", "alt text"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"),
    ("before\n\n---\n\nafter", "before\n\n———\n\nafter"),
    ("", ""),
    # Emphasis markers pair as in bot.emphasis (shared with the terminal); the rest stays as written.
    ("2*3*4 = 24", "2*3*4 = 24"),
    ("foo*bar* and snake_case_name", "foo*bar* and snake_case_name"),
    ("**unclosed bold, then *it*", "**unclosed bold, then <i>it</i>"),
    ("**Note:**text", "<b>Note:</b>text"),
    ("\\*not it\\* and *a **b* c**", "*not it* and *a <b>b* c</b>"),
    ("*see **this***", "<i>see <b>this</b></i>"),
    ("**see [x](https://e.org) now**", '<b>see <a href="https://e.org">x</a> now</b>'),
    ("`c*d*` ~~s **b**~~", "<code>c*d*</code> <s>s <b>b</b></s>"),
]


@pytest.mark.parametrize(("markdown", "expected"), CONVERSIONS)
def test_markdown_conversions(markdown: str, expected: str) -> None:
    rendered = markdown_to_telegram_html(markdown)
    assert rendered == expected
    if expected:
        parse_html(rendered)  # the emulator's strict parser accepts it


def test_link_text_and_url_are_escaped_and_parsed_back() -> None:
    rendered = markdown_to_telegram_html("[a <b> & c](https://e.org/?x=<1>&y=2)")
    text, entities = parse_html(rendered)
    assert text == "a <b> & c"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 9, "url": "https://e.org/?x=%3C1%3E&y=2"}
    ]


ODD_MARKDOWN = [
    "**unclosed bold",
    "*a **b* c**",
    "__a **b__ c**",
    "~~~\nfence with tildes",
    "```\nunclosed fence <b>",
    "`unclosed code <i>",
    "[unclosed link](https://e.org",
    "[a](<https://e.org/x y>)",
    "> quote\n- list in\n  > quote **bold\n\n```",
    "<<<>>> &&& &amp; &#1; &#x110000; &lt",
    "***both*** **_mixed_** _**mix**_",
    "* * *\n- - -\n+ a\n\n1) b",
    "# \n##\n###### six",
    "\\*escaped\\* \\<b\\>",
    "a  \nhard break\\\nother",
    "😀 **emoji 🎉 bold** _i_",
]


@pytest.mark.parametrize("markdown", ODD_MARKDOWN)
def test_odd_markdown_always_gives_valid_html(markdown: str) -> None:
    rendered = markdown_to_telegram_html(markdown)
    plain, _ = parse_html(rendered)
    assert plain.strip() == html_to_plain(rendered)


def test_random_markdown_soup_always_gives_valid_html() -> None:
    pieces = ["*", "**", "_", "__", "~~", "`", "```", "[", "](", ")", "<", ">", "&", "#", "-", "\n"]
    pieces += ["> ", "1. ", "word", " ", "😀", "https://e.org", "<b>", "</i>", "&amp;", "\\"]
    rng = random.Random(20261127)
    for _ in range(300):
        markdown = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        rendered = markdown_to_telegram_html(markdown)
        try:
            plain, _ = parse_html(rendered)
        except EntityParseError as exc:
            pytest.fail(f"{markdown!r} -> {rendered!r}: {exc}")
        assert plain.strip() == html_to_plain(rendered)


ANSWER = """# Summary

The article argues that **small models, carefully _tuned_, beat large ones** on narrow tasks.

- Point one with `code < 3`
- Point two: see [the paper](https://example.org/paper?id=1&v=2)

> A quoted line with ~~strike~~.

```python
def f(x):
    return x < 2 and x > 0
```

1. First
2. Second 😀 done."""


def test_every_streamed_prefix_renders_to_valid_html() -> None:
    for end in range(len(ANSWER) + 1):
        rendered = render_partial_markdown(ANSWER[:end])
        try:
            parse_html(rendered)
        except EntityParseError as exc:
            pytest.fail(f"prefix {end}: {rendered!r}: {exc}")
    assert render_partial_markdown(ANSWER) == markdown_to_telegram_html(ANSWER)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("The **important", "The <b>important</b>"),
        ("a ~~gone", "a <s>gone</s>"),
        ("run `ls -l", "run <code>ls -l</code>"),
        ("```py\nx = 1", '<pre><code class="language-py">x = 1</code></pre>'),
        ("**done** and **more", "<b>done</b> and <b>more</b>"),
        ("`a ** b` then **x", "<code>a ** b</code> then <b>x</b>"),
        ("```\na ** b\n```", "<pre>a ** b</pre>"),
        ("```\na ** b\n```\nthen **x", "<pre>a ** b</pre>\n\nthen <b>x</b>"),
        ("2 * 3 = 6 and *maybe", "2 * 3 = 6 and *maybe"),
    ],
)
def test_streamed_prefix_closes_open_markup(prefix: str, expected: str) -> None:
    assert render_partial_markdown(prefix) == expected


def test_lengths_count_utf16_units_after_parsing() -> None:
    assert utf16_length("a😀é") == 4
    assert visible_length("<b>a😀</b> &amp; &lt;é&gt;") == len("a😀 & <é>") + 1
    assert visible_length("  <i> x </i>\n") == 1
    text, entities = parse_html("😀<b>x</b>")
    assert (text, entities) == ("😀x", [{"type": "bold", "offset": 2, "length": 1}])


def test_short_message_is_not_split() -> None:
    assert split_message("<b>short</b>") == ["<b>short</b>"]
    assert split_message("   ") == []
    parts = split_message("word " * 30 + "<b>   </b>", limit=50)
    assert html_to_plain(parts[-1]).split(" ", 1)[1].strip()


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def _check_parts(
    parts: list[str], source_html: str, limit: int, *, whole_words: bool = True
) -> list[str]:
    """Each part is valid, numbered and within the limit; returns their texts without labels."""
    plains = []
    for number, part in enumerate(parts, start=1):
        plain, _ = parse_html(part)  # strict parser: balanced tags, known tags only
        assert plain.startswith(f"({number}/{len(parts)}) ")
        assert utf16_length(plain.strip()) <= limit
        plains.append(plain.removeprefix(f"({number}/{len(parts)}) "))
    if whole_words:
        assert _words(" ".join(plains)) == _words(html_to_plain(source_html))
    return plains


def test_long_text_with_bold_across_the_boundary_is_split_validly() -> None:
    sentence = "Words & <symbols> with emoji 😀 end here. "
    body = sentence * 120
    html = f"{markdown_to_telegram_html(body)}\n\n<b>{markdown_to_telegram_html(body)}</b>"
    assert visible_length(html) > 10_000
    parts = split_message(html)
    assert len(parts) == 3
    _check_parts(parts, html, 4096)
    # The bold paragraph was cut: the part that continues it reopens <b>.
    assert any(part.startswith("(3/3) <b>") for part in parts)


def test_split_prefers_paragraphs_then_lines_then_sentences() -> None:
    paragraphs = "\n\n".join(f"Paragraph {i}. " + "word " * 30 for i in range(10))
    parts = split_message(paragraphs, limit=400)
    _check_parts(parts, paragraphs, 400)
    for part in parts:
        assert re.match(r"\(\d+/\d+\) Paragraph \d+\.", part)
    sentences = " ".join(f"Sentence number {i} is here." for i in range(60))
    for part in split_message(sentences, limit=300):
        assert part.endswith("here.")


def test_split_inside_pre_and_links_keeps_them_open_on_both_sides() -> None:
    code = "\n".join(f"    line_{i} = {i} < {i + 1}" for i in range(200))
    html = f'Intro\n<pre><code class="language-python">{code.replace("<", "&lt;")}</code></pre>'
    parts = split_message(html, limit=1000)
    _check_parts(parts, html, 1000)
    for part in parts[1:]:
        plain, entities = parse_html(part)
        assert entities[0]["type"] == "pre"
        assert entities[0].get("language") == "python"
        # A cut at a line keeps the next line's indentation inside the code block.
        assert plain.split(") ", 1)[1].startswith("    line_")
    link = '<a href="https://e.org/?a=1&amp;b=2">' + "linked words " * 100 + "</a>"
    for part in split_message(link, limit=500):
        _, entities = parse_html(part)
        assert entities == [{**entities[0], "type": "text_link", "url": "https://e.org/?a=1&b=2"}]


def test_numbering_width_is_accounted_for() -> None:
    text = "x " * 3000
    parts = split_message(text, limit=60)
    assert len(parts) >= 100
    _check_parts(parts, text, 60)


def test_unbreakable_text_is_cut_hard() -> None:
    parts = split_message("😀" * 5000)
    # A hard cut splits the one "word"; no character is lost or split in half.
    assert "".join(_check_parts(parts, "😀" * 5000, 4096, whole_words=False)) == "😀" * 5000
    assert len(parts) == 3  # 10 000 UTF-16 units


def test_too_small_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_message("a long enough text", limit=5)

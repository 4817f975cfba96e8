"""Article extraction: the readable text and metadata of a web page, a PDF or a pasted text.

HTML goes through trafilatura in its fast, precision-leaning mode (menus, comments and teasers
left out), with readability-lxml as a second opinion when that result looks incomplete (short,
or far shorter than the page's paragraph text); promo lines and trailing tag/share/copyright
lines are then dropped. Every entry point ends at the quality gate, so callers get an article
or a typed error.
All functions are synchronous and CPU-bound: run them in a worker thread.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
from typing import Any

import lxml.html
from lxml import etree
from lxml.etree import ParserError, XMLSyntaxError, XPath

from bot.core.charset import decode_text
from bot.core.errors import (
    EmptyInputError,
    NotAnArticleError,
    UnreadableDocumentError,
)
from bot.core.extract.boilerplate import drop_boilerplate, unescape_quotes
from bot.core.extract.engines import (
    MANUALLY_CLEANED,
    Extractor,
    ReadabilityDocument,
    bare_extraction,
    load_html,
)
from bot.core.extract.lang import pick_language, word_units
from bot.core.extract.meta import collapse, page_metadata
from bot.core.extract.pdf import read_pdf
from bot.core.extract.prune import (
    paragraph_text,
    prune_for_trafilatura,
    restore_subheadings,
    subheadings,
)
from bot.core.extract.quality import PageSignals, check_quality, is_paywalled
from bot.core.models import Article, FetchedPage

__all__ = ["article_from_text", "check_quality", "extract_html", "extract_page", "extract_pdf"]

logger = logging.getLogger(__name__)

# trafilatura output shorter than this (in words) may be a miss: ask readability too.
SHORT_WORDS = 100
# Paragraph text on the page beyond this multiple of ours suggests trafilatura missed a part.
MISSED_RATIO = 1.4
_HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xml", "text/xml"}
_BLOCK_TAGS = (
    *("p", "div", "li", "blockquote", "pre", "tr", "br", "dd", "dt"),
    *("h1", "h2", "h3", "h4", "h5", "h6"),
)
# Anchors without child elements, whose text is then one node (trafilatura's parser drops
# comments), and the others. Where no anchor holds elements, the first path reads the same texts
# at a third of the cost of the second (no test of each anchor's children).
_ANCHOR_TEXTS = XPath("//a/text()", smart_strings=False)
_BARE_ANCHOR_TEXTS = XPath("//a[not(*)]/text()", smart_strings=False)
_NESTED_ANCHORS = XPath("//a[*]")
# Links within the page (a table of contents): a list of them is no list of other stories.
_IN_PAGE_ANCHORS = XPath("//a[starts-with(@href, '#')]")
# Fast + precision measured best on the Zyte benchmark and costs less than the defaults; comments
# are not the article, and our own fallback replaces trafilatura's. Built once: building options
# reads trafilatura's configuration, a tenth of a millisecond each time.
_TRAFILATURA_OPTIONS = Extractor(output_format="python", fast=True, precision=True, comments=False)
# The tags trafilatura's cleaning deletes, in its order (it handles <form> apart).
_CLEANED = [tag for tag in MANUALLY_CLEANED if tag != "form"]
# Of those, the ones it may keep something of: a <figure> holding a table, a formula's LaTeX.
_KEPT = {"figure", "math"}
# Words in the classes of the infinite-scroll containers trafilatura prunes unless they hold an
# <h1> (a regular expression would take ten times as long to look for them in a page).
_INFINITE_SCROLL = ("infinite", "mvp-post-add")
# A placeholder for <lb/> that str.split() does not take for whitespace.
_LINE_BREAK = "\ue000"
# trafilatura's block elements, which it nests in list items, cells and quotes.
_NESTED_BLOCKS = ("head", "p", "list", "item", "quote", "table", "row", "cell", "div")


def extract_page(page: FetchedPage) -> Article:
    """Extract the article from a fetched page of HTML, plain text or PDF."""
    url = page.final_url or page.url
    kind = page.content_type
    if kind == "application/pdf" or page.body[:5] == b"%PDF-":
        return extract_pdf(page.body, url)
    text = page.text if page.text is not None else decode_text(page.body, page.content_type)[0]
    if kind in _HTML_TYPES or (kind != "text/plain" and re.match(r"\s*<", text)):
        return extract_html(text, url)
    article = article_from_text(text, url)
    check_quality(article)
    return article


def extract_html(html: str, url: str | None = None) -> Article:
    """Extract the article and its metadata from an HTML page, then run the quality gate."""
    if not html.strip():
        raise EmptyInputError("the page is empty", kind="HTML")
    tree = _parse(html)
    # What reads the whole page comes first: trafilatura then gets the tree cut down. The links
    # are read after the pruning, which turns the links that belong to the text into text.
    meta = page_metadata(tree, url)
    prune_for_trafilatura(tree)
    links = _link_texts(tree)
    other_pages = links - {collapse(a.text_content()) for a in _IN_PAGE_ANCHORS(tree)}
    paragraph_chars = paragraph_text(tree)
    headings = subheadings(tree)
    _cut_for_trafilatura(tree, html)
    document = _run_trafilatura(tree, url)
    text = _render_body(document.body) if document is not None and document.body is not None else ""
    text = restore_subheadings(text, headings)
    text = _second_opinion(text, html, paragraph_chars)
    text = unescape_quotes(drop_boilerplate(text, links, other_pages))
    if not text:  # e.g. a page that builds itself with JavaScript: there is a page, no article
        raise NotAnArticleError("no text found on the page")
    article = Article(
        text=text,
        url=url,
        title=meta.title,
        author=meta.author,
        date=meta.date,
        sitename=meta.sitename,
        language=pick_language(meta.language, text),
        description=meta.description,
    )
    check_quality(article, PageSignals(links, lambda: _paywalled(html)))
    return article


def extract_pdf(data: bytes, url: str | None = None) -> Article:
    """Extract the text and title of a PDF document, then run the quality gate."""
    text, title = read_pdf(data)
    article = Article(text=text, url=url, title=title, language=pick_language(None, text))
    check_quality(article)
    return article


def article_from_text(text: str, url: str | None = None) -> Article:
    """An article from pasted text: the first headline-like line is the title; no gate."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not body:
        raise EmptyInputError("the text is empty", kind="text")
    return Article(text=body, url=url, title=_headline(lines), language=pick_language(None, body))


# --- HTML helpers -------------------------------------------------------------------------------


def _parse(html: str) -> lxml.html.HtmlElement:
    """Parse HTML into a tree, or explain why not."""
    try:
        tree = load_html(html)
    except (ParserError, XMLSyntaxError, ValueError) as exc:
        raise UnreadableDocumentError(f"cannot parse the HTML: {exc}", kind="HTML") from exc
    if tree is None:
        raise UnreadableDocumentError("cannot parse the HTML", kind="HTML")
    return tree


def _cut_for_trafilatura(tree: lxml.html.HtmlElement, html: str) -> None:
    """Delete beforehand the subtrees trafilatura's cleaning would delete (navigation, asides,
    footers, scripts...), so that its copies and XPath passes of the tree walk fewer nodes.

    Only where this cannot change its result: only the tags its cleaning deletes every element of,
    and not on the pages where it reads some of them first.
    """
    if "DiscussionForumPosting" in html:  # it reads the ld+json of a forum thread
        return
    tags = _cuttable_tags(tree)
    # It keeps an infinite-scroll container holding an <h1>: cut none then.
    if any(word in html for word in _INFINITE_SCROLL) and any(
        next(h1.iterancestors(*tags), None) is not None for h1 in tree.iter("h1")
    ):
        return
    etree.strip_elements(tree, *tags, with_tail=False)


def _cuttable_tags(tree: lxml.html.HtmlElement) -> list[str]:
    """The tags of which trafilatura's cleaning deletes every element on this page."""
    # It deletes one tag after the other, and the loop deleting a tag stops after an element
    # holding another of the same tag: from that tag on, the deleting is left to it.
    stop = len(_CLEANED)
    for element in tree.iter(*_CLEANED):
        if len(element) == 0:  # most of them (scripts, inputs, links...) hold no elements
            continue
        if element.tag == "figure" and element.find(".//table") is not None:
            return []  # kept, so cutting out of it any part holding the table would change that
        if next(element.iterdescendants(element.tag), None) is not None:
            stop = min(stop, _CLEANED.index(element.tag))
    return [tag for tag in _CLEANED[:stop] if tag not in _KEPT]


def _run_trafilatura(tree: lxml.html.HtmlElement, url: str | None) -> Any:
    """trafilatura's Document for the page (None when it finds nothing)."""
    options = copy.copy(_TRAFILATURA_OPTIONS)
    options.url = options.source = url  # for its log lines: links and images are left out
    try:
        return bare_extraction(tree, options=options)
    except Exception as exc:  # trafilatura and lxml fail in many ways on odd markup
        logger.warning("trafilatura failed on %s: %s", url, exc)
        return None


def _second_opinion(text: str, html: str, paragraph_chars: int) -> str:
    """Ask readability when trafilatura's text looks incomplete; keep whichever is better.

    Incomplete means short, or much shorter than the page's paragraph text (`paragraph_chars`,
    from paragraph_text). In the second case readability's text must be much longer *and*
    contain ours: more of the same article, not another block of the page.
    """
    if _fewer_words(text, SHORT_WORDS):
        alternative = _readability_text(html)
        return alternative if word_units(alternative) > word_units(text) else text
    if paragraph_chars > MISSED_RATIO * len(text):
        alternative = _readability_text(html)
        if len(alternative) > MISSED_RATIO * len(text) and _containment(text, alternative) >= 0.8:
            return alternative
    return text


def _fewer_words(text: str, count: int) -> bool:
    """Whether `text` holds fewer than `count` word units, reading only its start if that has enough."""
    # A prefix never holds more words than the whole text, and 20 characters a word are ample.
    head = text[: 20 * count]
    if word_units(head) >= count:
        return False
    return len(head) == len(text) or word_units(text) < count


def _containment(part: str, whole: str) -> float:
    """Share of `part`'s word pairs that also occur in `whole`."""
    pairs = _word_pairs(part)
    return len(pairs & _word_pairs(whole)) / len(pairs) if pairs else 0.0


def _word_pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent word pairs of a text."""
    words = re.findall(r"\w+", text.casefold())
    return set(itertools.pairwise(words))


def _readability_text(html: str) -> str:
    """The article text readability-lxml finds, paragraphs separated by blank lines."""
    try:
        summary = ReadabilityDocument(html).summary(html_partial=True)
        return _blocks_text(lxml.html.fromstring(summary)) if summary.strip() else ""
    except Exception as exc:  # readability raises bare Exceptions on odd pages
        logger.info("readability failed: %s", exc)
        return ""


def _blocks_text(element: lxml.html.HtmlElement) -> str:
    """Text of an element with one line per block element."""
    for block in element.iter(*_BLOCK_TAGS):
        block.tail = "\n" + (block.tail or "")
        if block.tag != "br":
            block.text = "\n" + (block.text or "")
    return _text_lines(element.text_content())


def _render_body(body: Any) -> str:
    """trafilatura's output tree as text: blocks separated by blank lines, list items and table
    rows on lines of their own, the source's hard line wraps undone."""
    blocks = [collapse(body.text)]
    for child in body:
        if child.tag == "list":
            blocks.append("\n".join(f"- {_inline(item)}" for item in child.iterchildren("item")))
        elif child.tag == "table":
            rows = (
                " | ".join(_inline(cell) for cell in row.iter("cell")) for row in child.iter("row")
            )
            blocks.append("\n".join(row for row in rows if row.strip(" |")))
        else:
            blocks.append(_inline(child))
        blocks.append(collapse(child.tail))
    return "\n\n".join(block for block in blocks if block and block != "-")


def _inline(element: Any) -> str:
    """An element's text with whitespace collapsed, keeping its explicit <lb/> line breaks and
    setting the blocks inside it (a list item's heading and paragraphs) on lines of their own."""
    for lb in element.iter("lb"):
        lb.tail = _LINE_BREAK + (lb.tail or "")
    # Their words would otherwise run into the text around them ("WebIDEDevelop").
    for block in element.iterdescendants(*_NESTED_BLOCKS):
        block.text = _LINE_BREAK + (block.text or "")
        block.tail = _LINE_BREAK + (block.tail or "")
    lines = (collapse(part) for part in "".join(element.itertext()).split(_LINE_BREAK))
    return "\n".join(line for line in lines if line)


def _text_lines(text: str) -> str:
    """Collapse whitespace inside lines and separate the lines by blank lines."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _paywalled(html: str) -> bool:
    """Whether the page shows a paywall notice or flag (scripts and styles aside)."""
    # The tree was cut down for trafilatura. The gate asks this of short texts only: parsing the
    # page again then costs less than keeping a whole copy of every tree.
    visible = _parse(html).xpath("//body//text()[not(ancestor::script or ancestor::style)]")
    return is_paywalled(html, " ".join(visible))


def _link_texts(tree: lxml.html.HtmlElement) -> frozenset[str]:
    """The page's anchor texts, for the quality gate to spot link lists."""
    # Most anchors hold only text: XPath reads it without an element object for each of them.
    nested = _NESTED_ANCHORS(tree)
    bare = _BARE_ANCHOR_TEXTS(tree) if nested else _ANCHOR_TEXTS(tree)
    texts = [*bare, *(a.text_content() for a in nested)]
    # collapse() without a Python call per anchor
    return frozenset(map(" ".join, map(str.split, texts))) - {""}


# --- pasted text ------------------------------------------------------------------------------

_DATELINE = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|[a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+[a-z]+\.?\s+\d{4})"
    r"(?:[\s,]+\d{1,2}[:.]\d{2}.*)?$",
    re.IGNORECASE,
)


def _headline(lines: list[str]) -> str | None:
    """The first short line near the top that reads like a headline, not a date or a sentence."""
    for line in [line for line in lines if line][:4]:
        words = word_units(line)
        if _DATELINE.match(line) or re.match(r"^(?:https?://|www\.)", line):
            continue
        if 2 <= words <= 30 and len(line) <= 250 and not re.search(r"[.。:;,]$", line):
            return line
        if words > 30:  # the text starts straight with prose: no headline
            return None
    return None

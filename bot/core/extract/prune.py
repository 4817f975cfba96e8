"""Rules that set the page's tree right before trafilatura reads it, each for a general cause of
lost or extra article text measured on real pages (see README, "Extraction quality")."""

from __future__ import annotations

import itertools
import re

import lxml.html
from lxml.etree import XPath

from bot.core.extract.meta import collapse

# Picture galleries, slideshows and carousels set inside an article: their captions and the
# stories they page through are not its text (readability leaves them out, trafilatura did not).
# XPath's contains() finds the candidates (either case of the first letter) at a fraction of the
# cost of a regular expression tried on every element; the expression then checks the word.
_GALLERY_CANDIDATES = XPath(
    "(//div|//section|//ul|//ol|//figure)[contains(@class, 'allery') or contains(@class, 'lideshow')"
    " or contains(@class, 'arousel') or contains(@id, 'allery') or contains(@id, 'lideshow')"
    " or contains(@id, 'arousel')]"
)
_GALLERY_NAME = re.compile(r"(?:^|[\s_-])(?:gallery|slideshow|carousel)(?:$|[\s_-])", re.IGNORECASE)
# A link in a heading within the article's text (a permalink "#" anchor, or a heading set between
# paragraphs) makes trafilatura's precise mode take the heading for a link list and delete it.
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A <span> wrapping a link inside a paragraph is part of the sentence, yet trafilatura's precise
# mode deletes it when its class reads like a link list ("link"), taking words out mid-sentence.
_LINK_WRAPPERS = XPath("//p//span[a][not(@style or @hidden or @aria-hidden)]")


def prune_for_trafilatura(tree: lxml.html.HtmlElement) -> None:
    """Drop the galleries inside an article; unmark the links in its sentences and headings."""
    for element in _GALLERY_CANDIDATES(tree):
        if _is_gallery(element):
            element.drop_tree()
    for span in _LINK_WRAPPERS(tree):
        span.attrib.clear()
    for heading in tree.iter(*_HEADINGS):
        for link in heading.iter("a"):
            if _in_text(heading) or (link.get("href") or "").startswith("#"):
                link.tag = "span"  # its text stays in the heading
                link.attrib.clear()


def _is_gallery(element: lxml.html.HtmlElement) -> bool:
    """A gallery by its name, not the page itself (one holding the headline is the article's)."""
    name = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_GALLERY_NAME.search(name)) and element.find(".//h1") is None


def _in_text(heading: lxml.html.HtmlElement) -> bool:
    """Whether a heading sits between a paragraph and the text going on after it."""
    before, after = heading.getprevious(), heading.getnext()
    return (
        before is not None and before.tag == "p" and after is not None and after.tag in ("p", "div")
    )


def subheadings(tree: lxml.html.HtmlElement) -> dict[str, tuple[str, str]]:
    """For each paragraph right after a subheading which itself follows a paragraph: the text of
    that earlier paragraph and of the heading, keyed by the paragraph's own text."""
    found: dict[str, tuple[str, str]] = {}
    for heading in tree.iter(*_HEADINGS[1:]):
        before, after = heading.getprevious(), heading.getnext()
        if before is not None and after is not None and before.tag == after.tag == "p":
            title = collapse(heading.text_content())
            if title:
                found[collapse(after.text_content())] = (collapse(before.text_content()), title)
    return found


def restore_subheadings(text: str, found: dict[str, tuple[str, str]]) -> str:
    """Set back the subheadings between two paragraphs of `text` that the page had there.

    trafilatura's recovery pass, which takes over on pages without an article container it
    knows, keeps paragraphs only: every subheading of such an article was lost.
    """
    if not found:
        return text
    paragraphs = text.split("\n\n")
    restored = paragraphs[:1]
    for previous, paragraph in itertools.pairwise(paragraphs):
        before, title = found.get(paragraph, ("", ""))
        if title and before == previous:
            restored.append(title)
        restored.append(paragraph)
    return "\n\n".join(restored)


def paragraph_text(element: lxml.html.HtmlElement) -> int:
    """Characters in the paragraph-sized <p> elements under `element`."""
    lengths = (len(collapse(p.text_content())) for p in element.iter("p"))
    return sum(n for n in lengths if n >= 80)

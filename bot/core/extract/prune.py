"""Rules that set the page's tree right before trafilatura reads it, each for a general cause of
lost or extra article text measured on real pages (see README, "Extraction quality")."""

from __future__ import annotations

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


def paragraph_text(element: lxml.html.HtmlElement) -> int:
    """Characters in the paragraph-sized <p> elements under `element`."""
    lengths = (len(collapse(p.text_content())) for p in element.iter("p"))
    return sum(n for n in lengths if n >= 80)

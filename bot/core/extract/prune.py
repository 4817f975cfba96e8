"""Rules that set the page's tree right before trafilatura reads it, each for a general cause of
lost or extra article text measured on real pages (see README, "Extraction quality")."""

from __future__ import annotations

import lxml.html
from lxml.etree import XPath

from bot.core.extract.meta import collapse

_REGEX_NS = {"re": "http://exslt.org/regular-expressions"}
# Picture galleries, slideshows and carousels set inside an article: their captions and the
# stories they page through are not its text (readability leaves them out, trafilatura did not).
_GALLERIES = XPath(
    "//*[self::div or self::section or self::ul or self::ol or self::figure]"
    "[re:test(concat(' ', @class, ' ', @id, ' '), '[ _-](gallery|slideshow|carousel)[ _-]', 'i')]",
    namespaces=_REGEX_NS,
)
# A <span> wrapping a link inside a paragraph is part of the sentence, yet trafilatura's precise
# mode deletes it when its class reads like a link list ("link"), taking words out mid-sentence.
_LINK_WRAPPERS = XPath("//p//span[a][not(@style or @hidden or @aria-hidden)]")


def prune_for_trafilatura(tree: lxml.html.HtmlElement) -> None:
    """Drop the galleries inside an article and unmark the link wrappers in its sentences."""
    for gallery in _GALLERIES(tree):
        if gallery.find(".//h1") is None:  # one holding the headline is the article's page
            gallery.drop_tree()
    for span in _LINK_WRAPPERS(tree):
        span.attrib.clear()


def paragraph_text(element: lxml.html.HtmlElement) -> int:
    """Characters in the paragraph-sized <p> elements under `element`."""
    lengths = (len(collapse(p.text_content())) for p in element.iter("p"))
    return sum(n for n in lengths if n >= 80)

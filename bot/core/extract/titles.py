"""A page's headline and site name, without the site's suffixes, breadcrumbs or sponsor lines."""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.html

from bot.core.extract.lang import word_units

_SEPARATOR = re.compile(r"\s+[-|–—_·•]\s+|\s*:\s+|\s+_(?=\S)")
# A site name is a name, not a headline: trafilatura takes any <title> part holding a dot.
_MAX_SITENAME_WORDS = 4
# Trailing <title> parts this short after the headline are sections or the site's name.
_MAX_CRUMB_WORDS = 4
# Lines of sponsors and advertisers that markup sometimes puts in a heading.
_SPONSOR = re.compile(
    r"^(?:sponsored|presented|brought to you|paid (?:post|content|for)|promoted|advertisement|"
    r"in partnership with|partner content|anzeige|publicité|реклама|партнёрский|партнерский)\b",
    re.I,
)


def clean_sitename(name: str | None, from_title: bool = False) -> str | None:
    """The site name without its tagline; a long <title> part (`from_title`) is no site name."""
    name = " ".join((name or "").split()).lstrip("@")
    name = _SEPARATOR.split(name, maxsplit=1)[0] if name else ""
    if from_title and word_units(name) > _MAX_SITENAME_WORDS:
        return None
    return name or None


def pick_title(
    tree: lxml.html.HtmlElement, candidates: Iterable[str | None], sitename: str | None
) -> str | None:
    """The first candidate (then <h1>, then <title>) that is a headline, site parts cut off."""
    names = {_fold(sitename)} - {""}
    names.update(_fold(n) for n in tree.xpath("//meta[@property='og:site_name']/@content"))
    headings = [_collapse(h.text_content()) for h in tree.iter("h1")]
    page_title = _collapse(tree.findtext(".//title"))
    parts = _parts(page_title)
    for candidate in (*candidates, *headings, page_title):
        # trafilatura may return one part of the <title>: judge the whole of it instead.
        whole = page_title if candidate in parts else _collapse(candidate)
        title = _strip_site_parts(whole, names, headings)
        if title and _fold(title) not in names and not _SPONSOR.match(title):
            return title
    return None


def _strip_site_parts(title: str, names: set[str], headings: list[str]) -> str:
    """`title` without the leading or trailing parts that name the site or its sections."""
    parts = _parts(title)
    if len(parts) < 2:
        return title
    kept = _drop_site_names(parts, names)
    if headings and (head := _heading_prefix(kept, headings)):
        return head
    # Short parts behind a longer headline are the site's sections or its name.
    while len(kept) > 1 and word_units(kept[-1]) <= _MAX_CRUMB_WORDS < word_units(kept[0]):
        kept.pop()
    return _span(title, kept) if kept else title


def _drop_site_names(parts: list[str], names: set[str]) -> list[str]:
    """The parts without those at either end that name the site."""
    kept = list(parts)
    while len(kept) > 1 and _names_site(kept[-1], names):
        kept.pop()
    while len(kept) > 1 and _names_site(kept[0], names):
        kept.pop(0)
    return kept


def _names_site(part: str, names: set[str]) -> bool:
    """Whether a title part is one of the site's names, or holds one."""
    folded = _fold(part)
    return bool(folded) and any(name in folded or folded in name for name in names)


def _heading_prefix(parts: list[str], headings: list[str]) -> str | None:
    """The leading parts that together are one of the page's <h1> headings."""
    folded = {_fold(h) for h in headings} - {""}
    return next(
        (
            " ".join(parts[:end])
            for end in range(len(parts), 0, -1)
            if _fold(" ".join(parts[:end])) in folded
        ),
        None,
    )


def _span(title: str, parts: list[str]) -> str:
    """The stretch of `title` from its first kept part to its last."""
    start = title.index(parts[0])
    end = title.rindex(parts[-1]) + len(parts[-1])
    return title[start:end].strip()


def _collapse(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _fold(text: str | None) -> str:
    """Lower-case letters and digits only, for loose comparisons of names."""
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def _parts(title: str) -> list[str]:
    """The parts of a title between its separators."""
    return [p for p in _SEPARATOR.split(title) if p]

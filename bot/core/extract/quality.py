"""The quality gate: refuse text that is not an article before anyone summarizes it.

Extractors always return *something*; on a menu, a cookie wall, a paywall stub or an error page
that something is junk. The gate measures the prose in the text (lines that read like sentences,
not link titles or buttons) and looks for the wording of walls and error pages. A wall with a
short teaser is refused; a real article that merely mentions cookies in its footer is not.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from bot.core.errors import EmptyInputError, NotAnArticleError, TooShortError
from bot.core.extract.lang import cjk_chars, word_units
from bot.core.models import Article

# Fewer words of prose than this is not enough to summarize (a short news item has ~80).
MIN_PROSE_WORDS = 50
# Or at least this many words in non-link lines of five words or more (tables, lists).
MIN_CONTENT_WORDS = 80
# Below this much prose, the wording of a wall or an error page means the page *is* the wall.
WALL_PROSE_WORDS = 220
# With more prose than this besides, a wall line is a stray one ("enable JavaScript to see
# the comments") below a short article.
STRAY_WALL_WORDS = 100
# A paywalled page with less prose than this shows only its teaser.
TEASER_WORDS = 150
# Above this share of link text, a page with little prose is a list of links.
MAX_LINK_SHARE = 0.5
# Pasted or forwarded text is what the user wants read: a few sentences are enough (a page
# must show more, for its menus and teasers read like short text too).
MIN_PASTE_WORDS = 15
MIN_PASTE_SENTENCES = 2
_SENTENCE_STOP = re.compile(r"[。！？]|[.!?…؟।]+(?=[\s»”\"')\]]|$)")
_SENTENCE_END = re.compile(r"[.!?…。！？؟।۔»”\"')\]]\s*$")

# Wording of consent banners, paywalls, login walls, bot walls and error pages, in the
# languages we see most; one hit with little prose around it settles the matter. Matched
# against lower-cased text: IGNORECASE makes this long alternation several times slower.
_WALL = re.compile(
    "|".join(
        (
            r"subscribe (?:now |today )?to (?:continue|read|keep|unlock|get)",
            r"(?:already a|become a) (?:subscriber|member)",
            r"(?:this|the) (?:article|content|story) is (?:for|available to|reserved for) (?:subscribers|members)",
            r"to continue reading",
            r"(?:sign|log) ?in to (?:continue|read|view|access)",
            r"create (?:a free|an) account to",
            r"you(?:'ve| have) reached (?:your|the) (?:limit|maximum) of free",
            r"(?:we|this (?:site|website)) uses? cookies",
            r"accept (?:all )?cookies",
            r"cookie (?:policy|settings|preferences|consent)",
            r"manage (?:your )?(?:consent|privacy) (?:preferences|settings|choices)",
            r"(?:404|page|file)\b.{0,20}\b(?:not (?:be )?found|can(?:'|no)t be found)",
            r"page (?:you (?:requested|are looking for)|does not exist|doesn't exist|no longer exists)",
            r"(?:access|request) (?:denied|blocked)",
            r"(?:please )?enable javascript",
            r"are you a (?:robot|human)",
            r"verify (?:that )?you are (?:a )?human",
            r"jetzt (?:abonnieren|weiterlesen)|weiterlesen mit|cookies? (?:akzeptieren|zustimmen)",
            r"seite (?:wurde )?nicht gefunden",
            r"abonnez-vous|déjà abonné|accepter (?:les|tous les) cookies|page (?:introuvable|non trouvée)",
            r"suscr[íi]bete|ya eres suscriptor|aceptar (?:las |todas las )?cookies|página no encontrada",
            r"assine (?:já|agora)|já é assinante|página não encontrada",
            r"подпишитесь|страница не найдена",
            r"ページが見つかりません|页面不存在|页面未找到|404 not found",
        )
    )
)


# The vocabulary of consent dialogs, whose legalese reads like prose (lower-cased text too).
_CONSENT = re.compile(
    r"cookies and similar|store and/or access|personal data|our (?:\d+ )?partners|\bconsent\b|"
    r"legitimate interest|privacy (?:policy|settings|choices)|datenschutz|einwilligung|"
    r"données personnelles|nos partenaires|datos personales|dados pessoais|dati personali"
)
# Wording that, anywhere on a page, says the article is behind a paywall (a paywall notice is
# usually cut by the extractor, leaving the teaser above it).
_PAYWALL_NOTICE = re.compile(
    r"subscribe (?:now |today )?to (?:continue|keep) reading|to continue reading,? (?:please )?"
    r"(?:subscribe|sign in|log in)|(?:only|exclusively) (?:available )?(?:to|for) (?:subscribers|members)|"
    r"to read the (?:full|whole|rest of the) (?:article|story)|jetzt weiterlesen mit|"
    r"abonnez-vous pour (?:lire|poursuivre)|suscríbete para (?:seguir|continuar) leyendo|"
    r"assine para (?:continuar|ler)",
    re.IGNORECASE,
)
# schema.org's paywall flag, as publishers set it for search engines (case-sensitive name: a
# literal prefix keeps the scan of a large page fast).
_NOT_FREE = re.compile(r"isAccessibleForFree[\"']?\s*:\s*[\"']?[Ff]alse")


def _never() -> bool:
    return False


@dataclass(frozen=True)
class PageSignals:
    """What the whole page (not just the extracted text) tells the gate."""

    link_texts: frozenset[str] = frozenset()  # the page's anchor texts
    # Whether a paywall notice or flag is on the page; asked only when the text is short.
    paywalled: Callable[[], bool] = _never


def is_paywalled(html: str, visible_text: str) -> bool:
    """Whether a page carries schema.org's paywall flag or a paywall notice."""
    return bool(_NOT_FREE.search(html) or _PAYWALL_NOTICE.search(visible_text))


@dataclass(frozen=True)
class ProseStats:
    """How much of a text reads as running prose, and how much of it is link or wall text."""

    prose_words: float  # in lines that read like sentences
    clean_prose_words: float  # the same, leaving out lines with wall or consent wording
    content_words: float  # in clean lines long enough not to be menu items or buttons
    link_words: float
    total_words: float
    wall: bool  # some line carries the wording of a wall or an error page


def _is_prose(line: str, words: float) -> bool:
    """A line that reads like sentences: long enough, and ending like a sentence or long."""
    if cjk_chars(line) >= 15 and re.search(r"[。！？]", line):
        return True
    return words >= 20 or (words >= 8 and bool(_SENTENCE_END.search(line)))


class _Line(NamedTuple):
    """A non-empty line of a text, whitespace collapsed and list bullet dropped, measured."""

    text: str
    words: float
    link: bool  # the whole line is one of the page's anchor texts
    prose: bool  # not a link, and reads like sentences


def _measure(text: str, link_texts: frozenset[str]) -> list[_Line] | None:
    """The non-empty lines of `text`, measured (`link_texts` are the page's anchor texts); None
    as soon as they hold enough prose to pass the gate, so a long article is read only in part."""
    lines: list[_Line] = []
    prose = 0.0
    for raw in text.splitlines():
        if line := " ".join(raw.split()).removeprefix("- "):
            words = word_units(line)
            link = line in link_texts
            is_prose = not link and _is_prose(line, words)
            lines.append(_Line(line, words, link, is_prose))
            prose += words if is_prose else 0
            if prose >= WALL_PROSE_WORDS:
                return None
    return lines


def _prose_words(lines: Iterable[_Line]) -> float:
    """Words in the lines that read like sentences."""
    return sum(line.words for line in lines if line.prose)


def _prose_stats(lines: list[_Line]) -> ProseStats:
    """Measure the prose in a text's lines, minding the wording of walls and consent dialogs."""
    # One search of the whole text per pattern costs far less than one search per line.
    lowered = [line.text.lower() for line in lines]
    walls, consents = _matching_lines(_WALL, lowered), _matching_lines(_CONSENT, lowered)
    clean = [line for i, line in enumerate(lines) if i not in walls and i not in consents]
    return ProseStats(
        prose_words=_prose_words(lines),
        clean_prose_words=_prose_words(clean),
        content_words=sum(line.words for line in clean if not line.link and line.words >= 5),
        link_words=sum(line.words for line in lines if line.link),
        total_words=sum(line.words for line in lines),
        wall=any(not lines[index].link for index in walls),
    )


def _matching_lines(pattern: re.Pattern[str], lines: list[str]) -> set[int]:
    """Indexes of the lines in which `pattern` matches (it must not match a line break)."""
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    matches = pattern.finditer("\n".join(lines))
    return {bisect.bisect_right(starts, match.start()) - 1 for match in matches}


def check_quality(article: Article, page: PageSignals | None = None) -> None:
    """Raise EmptyInputError or NotAnArticleError unless `article` holds readable prose."""
    if not article.text.strip():
        raise EmptyInputError("no text to read")
    page = page or PageSignals()
    # Enough prose settles it, with no need for the wall searches (the costliest part).
    if (lines := _measure(article.text, page.link_texts)) is None:
        return
    stats = _prose_stats(lines)
    # A stray "enable JavaScript" line below a short article is fine; a wall with a teaser is not.
    if stats.wall and stats.clean_prose_words < STRAY_WALL_WORDS:
        raise NotAnArticleError("a consent, login or paywall page, or an error page")
    if stats.prose_words < TEASER_WORDS and page.paywalled():
        raise NotAnArticleError("a paywall: only the teaser is readable")
    if stats.link_words > MAX_LINK_SHARE * stats.total_words:
        raise NotAnArticleError("mostly links, little prose")
    # Tables, calendars and lists carry content in short lines; enough lines of five words or
    # more make a page worth reading, menus (1-3 word lines) and link lists do not.
    if stats.clean_prose_words < MIN_PROSE_WORDS and stats.content_words < MIN_CONTENT_WORDS:
        raise NotAnArticleError(f"only {stats.clean_prose_words:.0f} words of prose")


def check_paste(article: Article) -> None:
    """Raise EmptyInputError or TooShortError unless pasted text holds a few sentences."""
    if not article.text.strip():
        raise EmptyInputError("no text to read")
    words = word_units(article.text)
    sentences = len(_SENTENCE_STOP.findall(article.text))
    # Long text without sentence marks (a list, verse) is worth reading too.
    if words < MIN_PASTE_WORDS or (sentences < MIN_PASTE_SENTENCES and words < MIN_PROSE_WORDS):
        raise TooShortError(f"only {words:.0f} words in {sentences} sentences")

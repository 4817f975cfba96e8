"""Boilerplate that extractors let through: promo lines, sign-up pitches, closing tag/share/
copyright lines, the lists of other stories in and below an article, and quotes left escaped."""

from __future__ import annotations

import re

from bot.core.extract.lang import word_units

# Teasers for other stories that publishers set inside articles ("READ MORE: ...").
_PROMO = re.compile(
    r"^(?:read more|see more|also read|read also|related(?: articles?| stories| coverage)?|"
    r"don'?t miss|more on this(?: story)?|recommended(?: for you)?|"
    # the same in the other languages of our users' news: ru, pl, el, zh, de, fr, es
    r"читайте (?:также|по теме)|смотрите также|по теме|czytaj (?:także|też)|zobacz (?:także|też)|"
    r"διαβάστε (?:επίσης|ακόμη)|延伸阅读|相关阅读|相关新闻|lesen sie auch|lire aussi|lea también)"
    r"(?:\s*[:|]|\s*(?:\n|$))",
    re.IGNORECASE,
)
# Newsletter sign-up pitches set between paragraphs: "sign up"/"subscribe" and "newsletter"/"inbox"
# within a sentence. It begins with a case-sensitive class of the letters that can begin a match
# ("ſ" is an "s" to IGNORECASE), which re skips to instead of trying every position: a third of the
# time of the plain \b(?:sign up|subscribe)...|\bnewsletter... with IGNORECASE.
_NEWSLETTER = re.compile(
    r"[SsſNn](?<!\w.)"  # "\b" before that letter
    r"(?i:(?<=s)(?:ign up|ubscribe)\b[^.]*\b(?:newsletters?|inbox)\b"
    r"|(?<=n)ewsletters?\b[^.]*\b(?:sign up|subscribe)\b)"
)
# A bare label that opens the tags or related links below an article.
_SECTION_LABEL = re.compile(
    r"^(?:tags?|topics?|related(?: articles| stories| posts| topics)?|keywords|categories|"
    r"share(?: this(?: article| story)?)?|more (?:from|on|in) [^\n]{0,40}|you may also like|read next)\s*:?$",
    re.IGNORECASE,
)
# A label heading the other stories a page lists below its article ("Other Opinion Columns",
# "You Might Also Like", "Читайте также"); what follows it is teasers, however long.
_OTHER_STORIES = re.compile(
    r"^(?:(?:other|more|latest|popular|recommended|related|top|trending)\b[^\n]{0,30}\b"
    r"(?:columns|stories|articles|news|posts|videos|reads|headlines)|you (?:may|might) (?:also )?"
    r"(?:like|enjoy)|most (?:read|popular|viewed|shared)|(?:what to )?read next|"
    r"читайте также|смотрите также|похожие (?:новости|статьи|материалы)|другие новости|"
    r"czytaj także|polecane|διαβάστε επίσης|相关新闻|相关阅读)\s*:?$",
    re.IGNORECASE,
)
# The other stories take at most this share of the text's words (a label in an article's
# first part heads a section of its own).
OTHER_STORIES_SHARE = 0.3
# A pair of JSON-escaped quotes around a phrase: a server template that pasted a JSON string into
# the HTML undecoded (seen on a Russian news site's related-news block: \"Газель\").
_ESCAPED_QUOTES = re.compile(r'(?<!\\)\\"([^"\\\n]{1,200}?)\\"')
# Short lines that close many articles but belong to the page around them.
_TRAILING_BOILERPLATE = re.compile(
    r"^(?:share (?:this|on)|follow us|subscribe|sign up|related(?: articles| stories| posts)?:?$|"
    r"read more|more from|recommended|advertisement|tags?:|topics?:|filed under|©|copyright|"
    r"all rights reserved|click here|comments?$|\d+ comments?|leave a (?:comment|reply))",
    re.IGNORECASE,
)


def drop_boilerplate(text: str, link_texts: frozenset[str], other_pages: frozenset[str]) -> str:
    """Drop promo lines ("READ MORE: ...", lone related-story links), lists of links to other
    pages (`other_pages`, anchor texts like `link_texts`), trailing share/subscribe/copyright
    lines and a closing list of other stories."""
    kept = [
        p
        for p in text.split("\n\n")
        if not (
            _PROMO.match(p)
            or (p in link_texts and word_units(p) >= 3)
            or _is_link_list(p, other_pages)
            or (_NEWSLETTER.search(p) and word_units(p) < 45)  # the search costs less
        )
    ]
    while len(kept) > 1 and word_units(kept[-1]) < 15 and _TRAILING_BOILERPLATE.match(kept[-1]):
        kept.pop()
    # A closing label ("Tags", "Related") heads a list of tags or links: cut from there.
    tail = range(max(1, len(kept) - 3), len(kept))
    label = next((i for i in tail if _SECTION_LABEL.match(kept[i])), None)
    if label is not None and sum(word_units(p) for p in kept[label:]) < 60:
        kept = kept[:label]
    kept = _cut_other_stories(kept)
    return "\n\n".join(kept) if kept else text


def unescape_quotes(text: str) -> str:
    """`text` with the pairs of JSON-escaped quotes (\\"...\\") as plain quotes."""
    return _ESCAPED_QUOTES.sub(r'"\1"', text) if '\\"' in text else text


def _is_link_list(block: str, link_texts: frozenset[str]) -> bool:
    """A list whose items are mostly whole links of a few words: headlines of other stories."""
    items = block.split("\n")
    if not all(item.startswith("- ") for item in items):
        return False
    links = sum(1 for item in items if item[2:] in link_texts and word_units(item[2:]) >= 3)
    return 2 * links > len(items)


def _cut_other_stories(paragraphs: list[str]) -> list[str]:
    """The paragraphs up to a label heading a list of other stories near the end, if any."""
    words = [word_units(p) for p in paragraphs]
    rest, limit = 0.0, OTHER_STORIES_SHARE * sum(words)
    cut = len(paragraphs)
    for i in range(len(paragraphs) - 1, 0, -1):  # from the end: the other stories are short
        rest += words[i]
        if rest > limit:
            break
        if len(paragraphs[i]) <= 60 and _OTHER_STORIES.match(paragraphs[i]):
            cut = i
    return paragraphs[:cut]

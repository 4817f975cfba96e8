"""The tree is cut down before trafilatura reads it, and that never changes what trafilatura finds.

Each page below holds a part that trafilatura's own result depends on, inside or beside elements
its cleaning deletes (and the cut would delete first).
"""

from __future__ import annotations

import json
import re

import pytest
import trafilatura

from bot.core.extract.html import extract_html
from tests.test_extract import ARTICLE_PAGE, STORY, html_page

ARTICLE = "<h1>Bike lanes approved</h1>" + "".join(f"<p>{p}</p>" for p in STORY)
REPLY = (
    "Residents of the northern districts welcomed the vote, although several asked the council to "
    "publish the full cost breakdown before work starts."
)
FORUM_POSTING = json.dumps({"@context": "https://schema.org", "@type": "DiscussionForumPosting"})

PAGES = {
    "a realistic page": ARTICLE_PAGE,
    # trafilatura stops deleting <nav> after one holding another: it keeps the later one
    "nested navigation": html_page(
        "<nav><nav><a href='/'>Home</a></nav></nav>"
        f"<article>{ARTICLE}<nav><p>{STORY[1]}</p></nav></article>"
    ),
    # a <figure> holding a table becomes a <div>, kept with its text, even when the table is in
    # a <noscript>
    "figure with a table": html_page(
        f"<article>{ARTICLE}<figure><noscript><table><tr><td>1</td></tr></table></noscript>"
        f"<p>{STORY[2]}</p></figure></article>"
    ),
    # an infinite-scroll container is kept when it holds an <h1>, even one inside an <aside> (a
    # list, which readability would not find instead)
    "infinite scroll": html_page(
        "<main><div class='infinite-scroll'><aside><h1>Bike lanes</h1></aside>"
        f"<ul>{''.join(f'<li>{p}</li>' for p in STORY)}</ul></div></main>"
    ),
    # the ld+json of a forum thread makes trafilatura keep the replies below the post
    "forum thread": (
        f"<html><head><script type='application/ld+json'>{FORUM_POSTING}</script></head><body>"
        f"<article>{ARTICLE}<ul id='dsq-comments'><li>{REPLY}</li></ul></article></body></html>"
    ),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_trafilatura_finds_what_it_finds_in_the_whole_page(page: str) -> None:
    whole = trafilatura.extract(page, fast=True, favor_precision=True, include_comments=False)
    assert whole is not None
    assert re.findall(r"\w+", extract_html(page).text) == re.findall(r"\w+", whole)

"""Distinct, realistic news pages for the concurrency bench (deterministic per page number).

Each page is a full news site page: inline scripts and styles, a cookie banner, a large navigation,
breadcrumbs, one article of 700-1100 words written from varied sentence templates (so no two
pages share their text), related stories, a newsletter box and a long footer, padded with more
site chrome to about the requested size.
"""

from __future__ import annotations

import html
import random

PLACES = ("Varnholm", "Brennsund", "Ostmark", "Kelloway", "Tarrow", "Lindqvist", "Fennick",
          "Ardmore", "Solvik", "Haverly", "Drummond", "Marlow", "Keswin", "Rostad", "Elmbridge")  # fmt: skip
PEOPLE = ("Maren Tveit", "Halvard Eikrem", "Ingrid Solbakken", "Tomas Berg", "Alice Greaves",
          "Jonas Hallin", "Priya Nair", "Samuel Okoro", "Lena Virtanen", "Marco Bellini")  # fmt: skip
ROLES = ("a biologist", "the mayor", "a local engineer", "a retired teacher", "an economist",
         "the council's spokeswoman", "a union representative", "a historian")  # fmt: skip
TOPICS = ("the new tram line", "the harbour bridge", "the eel count", "the school budget",
          "the wind farm", "the water treatment plant", "the library extension",
          "the night ferry", "the housing plan", "the forest fire season")  # fmt: skip
VERBS = ("approved", "delayed", "questioned", "welcomed", "criticised", "funded", "reviewed")
SENTENCES = (
    "{Person}, {role}, said that {topic} had {verb} expectations in {place} this year.",
    "Officials in {place} {verb} the plan on {day}, after {n} residents signed a petition.",
    "The cost of {topic} has risen to {n} million euros, according to figures seen by the paper.",
    '"We have waited {n} years for this," said {Person}, who has followed {topic} closely.',
    "Critics argue that {topic} was rushed, while supporters point to {n} new jobs in {place}.",
    "A survey of {n} households in {place} found that most people support {topic}.",
    "The regional council is expected to vote again on {day}, when the final report is due.",
    "{Person} warned that the numbers were encouraging but that one season proves little.",
    "In {place}, shop owners said the works had cut their takings by {n} percent.",
    "Engineers will inspect the site on {day} before {topic} can go ahead as planned.",
    "The ministry has promised another {n} million euros if {place} meets its targets.",
    "Residents gathered at the town hall in {place} to hear how {topic} would affect them.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SECTIONS = ("News", "Politics", "Business", "Science", "Culture", "Sport", "Opinion", "Travel",
            "Climate", "Technology", "Health", "Education", "Local", "World", "Podcasts")  # fmt: skip


def title_of(number: int) -> str:
    """The headline of page `number` (the bench checks that each summary is under its own)."""
    rng = random.Random(number)
    return f"{rng.choice(PLACES)} weighs {rng.choice(TOPICS)}, report No. {number}"


def _sentence(rng: random.Random) -> str:
    template = rng.choice(SENTENCES)
    text = template.format(
        Person=rng.choice(PEOPLE),
        role=rng.choice(ROLES),
        topic=rng.choice(TOPICS),
        verb=rng.choice(VERBS),
        place=rng.choice(PLACES),
        day=rng.choice(DAYS),
        n=rng.randint(3, 950),
    )
    return text[0].upper() + text[1:]


def _article(rng: random.Random, number: int, paragraphs: int | None) -> str:
    texts = []
    for _ in range(paragraphs or rng.randint(14, 20)):
        body = " ".join(_sentence(rng) for _ in range(rng.randint(3, 5)))
        texts.append(f"<p>{html.escape(body, quote=False)}</p>")
    headline = html.escape(title_of(number), quote=False)
    return (
        '<article class="story"><header>'
        f"<h1>{headline}</h1>"
        f'<p class="standfirst">{html.escape(_sentence(rng), quote=False)}</p>'
        f'<p class="byline">By <span class="author">{rng.choice(PEOPLE)}</span></p>'
        '<time datetime="2026-03-14T08:30:00Z">14 March 2026</time></header>'
        f"{''.join(texts)}</article>"
    )


def _nav(rng: random.Random, count: int, css: str) -> str:
    items = "".join(
        f'<li><a href="/{s.lower()}/{rng.randint(1, 99999)}">{s} {rng.choice(TOPICS)}</a></li>'
        for s in (rng.choice(SECTIONS) for _ in range(count))
    )
    return f'<nav class="{css}"><ul>{items}</ul></nav>'


def _related(rng: random.Random) -> str:
    items = "".join(
        f'<li><a href="/news/{rng.randint(1, 99999)}">{rng.choice(PLACES)}: '
        f"{rng.choice(TOPICS)} {rng.choice(VERBS)}</a><span>{rng.randint(1, 59)} min ago</span></li>"
        for _ in range(20)
    )
    return f'<aside class="related"><h2>More stories</h2><ul>{items}</ul></aside>'


def _script(rng: random.Random, size: int) -> str:
    data = ",".join(f'"k{i}":"{rng.getrandbits(64):x}"' for i in range(size // 26))
    return f"<script>window.__STATE__={{{data}}};track('pageview');</script>"


def page_html(number: int, size_kb: int, paragraphs: int | None = None) -> bytes:
    """A news page of about `size_kb` KB (or more, for a longer article than the usual 14-20
    `paragraphs`) whose article text is unique to `number`."""
    rng = random.Random(number * 7919)
    head = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title_of(number), quote=False)} | The Northern Ledger</title>"
        "<meta property='og:site_name' content='The Northern Ledger'>"
        "<meta name='author' content='Newsroom'>"
        "<style>body{font-family:serif}.story p{margin:0 0 1em}nav li{display:inline}</style>"
    )
    top = (
        '<body><div class="cookie-consent"><p>We use cookies to personalise content and ads.'
        "</p><button>Accept all</button></div><header class='site-header'>"
        f"<a class='logo' href='/'>The Northern Ledger</a>{_nav(rng, 40, 'main-nav')}</header>"
        "<div class='breadcrumbs'><a href='/'>Home</a> &rsaquo; <a href='/news'>News</a></div>"
    )
    middle = f"<main id='content'>{_article(rng, number, paragraphs)}{_related(rng)}</main>"
    bottom = (
        "<div class='newsletter'>Get the Ledger in your inbox every morning.</div>"
        f"<footer>{_nav(rng, 80, 'footer-nav')}<p>&copy; 2026 The Northern Ledger. "
        "All rights reserved.</p></footer>"
    )
    # Real pages carry both: half of the padding is markup (more links), half inline script.
    missing = size_kb * 1024 - len((head + top + middle + bottom).encode()) - 30
    if missing > 400:
        links = _nav(rng, 1, "more")
        bottom += _nav(rng, max(1, missing // 2 // (len(links) - 30)), "more")
    missing = size_kb * 1024 - len((head + top + middle + bottom).encode()) - 30
    scripts = _script(rng, missing) if missing > 200 else ""
    return (head + scripts + "</head>" + top + middle + bottom + "</body></html>").encode()

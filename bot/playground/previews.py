"""The playground's t.me: the web preview of a demo public channel, so `/follow @demo_news`
works with no internet.

The playground points TELEGRAM_WEB_BASE_URL at itself; `/s/demo_news` is served here with a few
posts dated back from the start, in the widget markup t.me serves, one linking to an article the
playground serves too. Any other name is sent on to the real t.me: online the bot reads it as it
would outside the playground, offline the read fails like any unreachable site."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

DEMO_CHANNEL = "demo_news"
DEMO_ARTICLE = "/static/demo-article.html"  # beside the page's files
REAL_TME = "https://t.me"


@dataclass(frozen=True)
class DemoPost:
    """A post of the demo channel: its id, how long before the start it was made, its text."""

    post_id: int
    age: timedelta
    text: str
    links_article: bool = False  # ends with a link to the demo article


DEMO_POSTS = (
    DemoPost(
        1,
        timedelta(hours=3),
        "Welcome to Demo News, the playground's own public channel. The bot reads it from its "
        "web preview, as it reads any public channel you follow: no admin rights, no bot in the "
        "channel. Every longer post like this one becomes a line of your /digest, linked to the "
        "post, and every link a post carries becomes an item of its own.",
    ),
    DemoPost(
        2,
        timedelta(hours=2),
        "Glass eels are back in Lake Varnholm after forty years: volunteers counted more than "
        "eleven thousand in a single night, after the old weir came down. Biologists credit the "
        "cold spring, and the town plans a festival by the outflow for the next new moon.",
    ),
    DemoPost(
        3,
        timedelta(minutes=30),
        "How the eels found their way back, in the Varnholm Ledger:",
        links_article=True,
    ),
)


def _post(post: DemoPost, started: datetime, root: str) -> str:
    made = (started - post.age).replace(microsecond=0).isoformat()
    body, preview = html.escape(post.text), ""
    if post.links_article:
        href = html.escape(root + DEMO_ARTICLE, quote=True)
        body += f' <a href="{href}" target="_blank" rel="noopener">{href}</a>'
        preview = f'<a class="tgme_widget_message_link_preview" href="{href}"></a>'
    own = f"https://t.me/{DEMO_CHANNEL}/{post.post_id}"
    return (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message js-widget_message" data-post="{DEMO_CHANNEL}/'
        f'{post.post_id}"><div class="tgme_widget_message_bubble">'
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">{body}</div>{preview}'
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        f'<a class="tgme_widget_message_date" href="{own}"><time datetime="{made}" class="time">'
        f"{made[11:16]}</time></a></div></div></div></div>"
    )


def preview_page(started: datetime, root: str) -> str:
    """The demo channel's whole preview (every post on one page, so no "load more" link); its
    link leads to `root`, the playground's address."""
    posts = "\n".join(_post(post, started, root) for post in DEMO_POSTS)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Demo News – Telegram</title>'
        '</head><body class="widget_frame_base tgme_webpreview"><main class="tgme_main">'
        f'<section class="tgme_channel_history js-message_history">\n{posts}\n</section>'
        "</main></body></html>"
    )


def add_preview_routes(app: web.Application, started: datetime) -> None:
    """Serve t.me/s/<name>: the demo channel here, any other name at the real t.me."""

    async def preview(request: web.Request) -> web.StreamResponse:
        if request.match_info["name"].lower() != DEMO_CHANNEL:
            raise web.HTTPFound(f"{REAL_TME}{request.path_qs}")
        page = preview_page(started, str(request.url.origin()))
        return web.Response(text=page, content_type="text/html", charset="utf-8")

    app.router.add_get("/s/{name}", preview)

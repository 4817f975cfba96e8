"""Parse a public channel's web preview page (t.me/s/<name>) into posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import lxml.html

from bot.core.store.channel_types import ChannelPost


@dataclass(frozen=True)
class PreviewPost:
    """One post of a preview page, with where it was forwarded from, if anywhere."""

    post: ChannelPost
    forwarded_from: str | None  # the link to the original post or channel


@dataclass(frozen=True)
class PreviewPage:
    """The posts of one preview page, oldest first, and the id to ask for older ones."""

    posts: tuple[PreviewPost, ...]
    before: int | None  # the `?before=` id of the "load more" link; None on the oldest page


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _first(element: lxml.html.HtmlElement, css_class: str) -> lxml.html.HtmlElement | None:
    found = element.xpath(f".//*[{_has_class(css_class)}]")
    return found[0] if found else None


def _text(element: lxml.html.HtmlElement) -> str:
    """The element's text with `<br>` as line breaks."""
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return str(element.text_content()).strip()


def _web_links(elements: list[lxml.html.HtmlElement]) -> list[str]:
    """Absolute web links only: hashtag searches (`?q=%23tag`) are relative and skipped."""
    hrefs = (str(a.get("href", "")) for a in elements)
    return [href for href in hrefs if href.startswith(("http://", "https://"))]


def _parse_post(channel: str, block: lxml.html.HtmlElement) -> PreviewPost | None:
    number = str(block.get("data-post", "")).rpartition("/")[2]
    stamp = block.xpath(f".//a[{_has_class('tgme_widget_message_date')}]//time/@datetime")
    if not number.isdigit() or not stamp:
        return None  # a service block or a broken one: nothing to keep
    body = _first(block, "tgme_widget_message_text")
    links = _web_links(body.xpath(".//a") if body is not None else [])
    links += _web_links(block.xpath(f".//a[{_has_class('tgme_widget_message_link_preview')}]"))
    origin = block.xpath(f".//a[{_has_class('tgme_widget_message_forwarded_from_name')}]/@href")
    post = ChannelPost(
        channel=channel,
        post_id=int(number),
        posted_at=datetime.fromisoformat(str(stamp[0])),
        text=_text(body) if body is not None else "",
        links=tuple(dict.fromkeys(links)),
    )
    return PreviewPost(post, str(origin[0]) if origin else None)


def _before(root: lxml.html.HtmlElement) -> int | None:
    more = root.xpath(f"//a[{_has_class('tme_messages_more')}]/@data-before")
    return int(more[0]) if more and str(more[0]).isdigit() else None


class PageKind(Enum):
    """What the page t.me/s/<name> ends at says of the name."""

    PREVIEW = "preview"  # a channel's public preview, with its posts
    # t.me/<name> with a title: a user, a bot, a group, or a channel with its preview off
    NO_PREVIEW = "no_preview"
    MISSING = "missing"  # t.me/<name> without one: "you can contact @name", nobody has it
    UNKNOWN = "unknown"  # no t.me page at all (an error page, a changed layout)


def page_kind(html: str) -> PageKind:
    """Tell a preview from the page of a name that has none, or that nobody has."""
    root = lxml.html.fromstring(html or "<html/>")
    if root.xpath(f"//*[{_has_class('tgme_channel_history')}]"):
        return PageKind.PREVIEW
    page = _first(root, "tgme_page")
    if page is None:
        return PageKind.UNKNOWN
    title = _first(page, "tgme_page_title")
    return PageKind.NO_PREVIEW if title is not None and _text(title) else PageKind.MISSING


def parse_preview(channel: str, html: str) -> PreviewPage:
    """The posts of a preview page; `channel` is the store's key ("@name", lower case)."""
    root = lxml.html.fromstring(html or "<html/>")
    blocks = root.xpath(f"//div[{_has_class('tgme_widget_message')}][@data-post]")
    posts = [post for block in blocks if (post := _parse_post(channel, block)) is not None]
    posts.sort(key=lambda item: item.post.post_id)
    return PreviewPage(tuple(posts), _before(root))

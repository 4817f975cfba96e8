"""Channel digests in the core (the real service, its model the fake server): links and long
text posts as items, several channels in one digest grouped by channel, each item linked to
its post whether the channel is known by "@name" or by its chat id."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.digest.channels import MIN_TEXT_POST
from bot.core.service import Service
from bot.core.store.channel_types import ChannelPost, ConnectedChannel
from bot.telegram.channel_render import channels_messages
from tests.servers.article_server import ARTICLE_TITLE, ArticleServer
from tests.servers.chats import NOTE
from tests.servers.openai_server import FakeOpenAI, prompt_of
from tests.test_summary_cache import service

__all__ = ["service"]  # the fixture, shared with test_summary_cache


def _line(body: dict[str, Any]) -> str:
    return "Eels return." if "eels" in prompt_of(body).lower() else "The pier closes."


async def test_several_channels_make_one_digest_grouped_by_channel(
    service: Service, openai_server: FakeOpenAI, article_server: ArticleServer
) -> None:
    openai_server.responder = _line
    now = datetime.now(UTC)
    article = article_server.url("/article")
    await service.digests.collect_posts(
        [
            ChannelPost("@eelnews", 7, now, f"Look: {article}", (article,)),
            ChannelPost("-1005550001", 3, now, NOTE),
            ChannelPost("-1005550001", 4, now, "x" * (MIN_TEXT_POST - 1)),  # too short
            ChannelPost("-1005550001", 5, now - timedelta(days=2), NOTE),  # before the period
        ]
    )
    since = now - timedelta(hours=1)
    public, private = await service.digests.channels_digest(
        ["@eelnews", "-1005550001"], since, "en"
    )
    assert [entry.title for entry in public.links.entries] == [ARTICLE_TITLE]
    assert not public.texts
    assert not private.links.entries
    assert [(text.post.post_id, text.line.text) for text in private.texts] == [
        (3, "The pier closes.")
    ]
    connected = ConnectedChannel(1001, "-1005550001", None, "Harbour <notes>", now)
    followed = ConnectedChannel(1001, "@eelnews", "eelnews", "Eel news", now)
    (message,) = channels_messages([(followed, public), (connected, private)], since, "en")
    assert message.index("@eelnews") < message.index("Eels return.")
    assert message.index("Harbour &lt;notes&gt;") < message.index("The pier closes.")
    assert message.index("Eels return.") < message.index("Harbour &lt;notes&gt;")
    links = re.findall(r'href="([^"]+)"', message)
    assert "https://t.me/eelnews/7" in links
    assert "https://t.me/c/5550001/3" in links
    assert article in links

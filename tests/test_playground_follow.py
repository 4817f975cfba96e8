"""Following a public channel in the playground, offline: its own t.me serves @demo_news."""

from __future__ import annotations

import aiohttp

from tests.servers.playground_process import PlaygroundFactory
from tests.test_playground import client, post, wait_for_bot


async def _say(session: aiohttp.ClientSession, words: str) -> None:
    assert await post(
        session, "/play/send", {"chat": "private", "user": "alice", "text": words}
    ) == (200, {"ok": True})


async def test_the_demo_channel_is_followed_and_digested_without_internet(
    playground: PlaygroundFactory,
) -> None:
    async with playground() as running, client(running) as session:
        async with session.get("/s/otherchan?before=9", allow_redirects=False) as response:
            assert (response.status, response.headers["Location"]) == (
                302,
                "https://t.me/s/otherchan?before=9",  # any other name: the real t.me
            )
        await _say(session, "/follow t.me/demo_news")
        await wait_for_bot(session, "You follow @demo_news")
        # The page read to follow is kept: the digest has the posts at once, no poll needed.
        await _say(session, "/digest")
        digest = await wait_for_bot(session, "Digest of @demo_news")
        await _say(session, "/following")
        await wait_for_bot(session, "• @demo_news")
        await _say(session, "/unfollow @demo_news")
        await wait_for_bot(session, "You no longer follow @demo_news")
    links = {e["url"] for e in digest.get("entities", []) if e["type"] == "text_link"}
    assert {f"https://t.me/demo_news/{post_id}" for post_id in (1, 2, 3)} <= links
    assert f"{running.url}static/demo-article.html" in links
    assert "How the glass eels found their way back to Lake Varnholm" in digest["text"]
    assert "Could not read" not in digest["text"]
    assert "Traceback" not in running.log()

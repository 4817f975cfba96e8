"""Following a public channel in the playground, offline: its own t.me serves @demo_news."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.servers.playground_process import PlaygroundFactory
from tests.test_playground import bot_messages, client, post, until, wait_for_bot


async def _say(session: aiohttp.ClientSession, words: str) -> None:
    assert await post(
        session, "/play/send", {"chat": "private", "user": "alice", "text": words}
    ) == (200, {"ok": True})


async def _digest(session: aiohttp.ClientSession) -> dict[str, Any]:
    """/digest 24h, asked again while the channel was not read yet (the poll ticks each second)."""

    async def asked() -> dict[str, Any] | None:
        count = len(await bot_messages(session))
        await _say(session, "/digest 24h")  # from a day back, however often it is asked

        async def reply() -> dict[str, Any] | None:
            new = (await bot_messages(session))[count:]
            return new[-1] if new else None

        answer = await until(reply, "an answer to /digest")
        return answer if "Digest of @demo_news" in answer.get("text", "") else None

    return await until(asked, "a digest of @demo_news")


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
        digest = await _digest(session)
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

"""The heavy requests of `bench/concurrency.py --heavy`: a huge article and a 200-link digest.

Both go in just ahead of the burst, which starts once each has its first model call in flight:
the huge article's map calls (its parts read at once) and the digest's one-line summaries (a few
articles at a time) then hold model slots or queue for them while the small users' calls come.
Each model call is told apart by its prompt, so the bench counts the calls each made while the
burst was served; after the burst it waits for both to finish and says whether they did.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any

from bench._pages import page_html
from bench._procs import END
from bot.core.digest.build import READ_CONCURRENCY
from bot.playground.emulator.server import TelegramServer
from tests.servers.article_server import ArticleServer
from tests.servers.openai_server import FakeOpenAI, prompt_kind

HEAVY_CHAT = 99_999
DIGEST_GROUP = -100_999_999
DIGEST_LINKS = 200
# About 290,000 tokens of article text (MAX_ARTICLE_TOKENS is 300,000): five parts of the
# default SUMMARY_MAX_CALL_TOKENS (60,000), read by five map calls at once, then one merge.
HUGE_PARAGRAPHS = 3_300
LINE = "The council delayed the vote on the harbour bridge after its cost rose again."
# Whose each kind of model call is (tests.servers.openai_server.prompt_kind): a long article's
# parts and merge are the huge article's, lines the digest's; every other is a small user's.
WHOSE = {"part": "huge", "merge": "huge", "line": "digest", "summary": "small"}
HEAVY = {"huge": HEAVY_CHAT, "digest": DIGEST_GROUP}  # each heavy request's chat


def user(chat_id: int) -> dict[str, Any]:
    """A private-chat user whose id is the chat id."""
    return {"id": chat_id, "is_bot": False, "first_name": f"U{chat_id}", "language_code": "en"}


def heavy_pages(telegram: TelegramServer, web: ArticleServer, first: int) -> str:
    """The huge article (its URL is returned), and a group whose member shares DIGEST_LINKS
    links (sent now: the bot reads them as it starts polling)."""
    huge = web.add_page("/huge", page_html(first, 50, HUGE_PARAGRAPHS), "text/html; charset=utf-8")
    telegram.privacy_mode = False
    telegram.group(DIGEST_GROUP, members=[user(HEAVY_CHAT)])
    for index in range(DIGEST_LINKS):
        page = web.add_page(
            f"/digest/{index}", page_html(first + 1 + index, 5), "text/html; charset=utf-8"
        )
        telegram.send_message(
            DIGEST_GROUP, f"look {page}", user=user(HEAVY_CHAT), chat_type="supergroup"
        )
    return huge


class ModelCalls:
    """When each model call came and whose it was: the fake LLM's responder, which writes a
    summary (or a digest's line) and notes the call."""

    def __init__(self, llm: FakeOpenAI, summary: str, latency_s: float) -> None:
        self.llm, self.summary, self.latency_s = llm, summary, latency_s
        self.arrivals: list[tuple[float, str]] = []  # (monotonic time, "small" or a HEAVY key)
        llm.responder = self._respond

    def _respond(self, body: dict[str, Any]) -> str:
        kind = WHOSE[prompt_kind(body, "summary")]
        # The responder runs once the first-token delay is over: the call came that much earlier.
        self.arrivals.append((time.monotonic() - self.llm.delay_s, kind))
        return LINE if kind == "digest" else self.summary

    def count(self, kind: str, start: float = -math.inf, end: float = math.inf) -> int:
        """Calls of `kind` in flight at some moment between `start` and `end`."""
        return sum(
            1 for at, k in self.arrivals if k == kind and at <= end and at + self.latency_s >= start
        )


@dataclass(frozen=True)
class HeavyFigures:
    """What each heavy request did while the burst was served, and when it finished."""

    during_burst: dict[str, int]  # model calls in flight during the burst, by request
    total: dict[str, int]  # model calls in all
    finished_s: dict[str, float | None]  # seconds from its message to its reply; None: never


async def start_heavy(telegram: TelegramServer, calls: ModelCalls, huge_url: str) -> float:
    """Send the huge article's link and /digest; return once both have a model call in flight."""
    telegram.send_message(HEAVY_CHAT, huge_url, user=user(HEAVY_CHAT))
    telegram.send_message(DIGEST_GROUP, "/digest", user=user(HEAVY_CHAT), chat_type="supergroup")
    sent = time.monotonic()
    while not all(calls.count(kind) for kind in HEAVY):
        if time.monotonic() - sent > 120:
            raise SystemExit(f"the heavy requests made no model call: {calls.arrivals[-5:]}")
        await asyncio.sleep(0.01)
    print(f"heavy requests: both had model calls in flight {time.monotonic() - sent:.1f} s in")
    return sent


async def finish_heavy(
    telegram: TelegramServer, calls: ModelCalls, sent: float, burst: tuple[float, float]
) -> HeavyFigures:
    """Wait for both heavy replies (a digest of 200 lines takes many model latencies)."""
    deadline = time.monotonic() + (DIGEST_LINKS / READ_CONCURRENCY + 10) * calls.latency_s + 60
    finished: dict[str, float | None] = dict.fromkeys(HEAVY)
    seen = 0
    while None in finished.values() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        new = zip(telegram.calls[seen:], telegram.call_times[seen:], strict=True)
        for (name, params), at in new:
            for kind, chat in HEAVY.items():
                done = (LINE if kind == "digest" else END) in str(params.get("text", ""))
                if name == "sendMessage" and params.get("chat_id") == chat and done:
                    finished[kind] = finished[kind] or at - sent
        seen = len(telegram.calls)
    return HeavyFigures(
        during_burst={kind: calls.count(kind, *burst) for kind in HEAVY},
        total={kind: calls.count(kind) for kind in HEAVY},
        finished_s=finished,
    )


def print_heavy(figures: HeavyFigures) -> None:
    """Each heavy request's model calls during the burst and in all, and whether it finished."""
    names = {"huge": "huge article (one user)", "digest": f"{DIGEST_LINKS}-link digest (a group)"}
    for kind, name in names.items():
        finished = figures.finished_s[kind]
        done = f"finished {finished:.1f} s after it was sent" if finished else "NOT finished"
        print(
            f"  {name}: {figures.during_burst[kind]} model calls in flight during the burst, "
            f"{figures.total[kind]} in all; {done}"
        )

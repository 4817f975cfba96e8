"""What `bench/concurrency.py` watches: the bot's CPU and its workers', each chat's final message."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

from bot.playground.emulator.server import TelegramServer

END = "That is the whole story in brief."  # the last words of every summary the fake LLM writes
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cpu:
    """CPU seconds a process has used (user and system, all its threads)."""

    user: float
    system: float

    @property
    def total(self) -> float:
        """User plus system seconds."""
        return self.user + self.system


def process_cpu(pid: int) -> Cpu:
    """Read utime and stime of `pid` from /proc (clock ticks, usually 10 ms each)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return Cpu(int(fields[11]) / TICK, int(fields[12]) / TICK)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: the extraction workers are the forkserver's children."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            pids = [int(child) for child in children.read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
        for child in pids:
            found += [child, *descendants(child)]
    return found


def workers_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each process below `pid`, with what its reaped children used (a worker
    that exits mid-burst is counted in its parent's cutime/cstime)."""
    usage = {}
    for child in descendants(pid):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        usage[child] = sum(int(value) for value in fields[11:15]) / TICK
    return usage


class Finals:
    """Watches the emulator's calls for each chat's final summary message."""

    def __init__(self, telegram: TelegramServer, titles: dict[int, str]) -> None:
        self.telegram = telegram
        self.titles = titles
        self.done: dict[int, float] = {}  # chat id -> monotonic time of its final message
        self._seen = 0

    def scan(self) -> None:
        """Look at the calls made since the last scan."""
        calls, times = self.telegram.calls, self.telegram.call_times
        for (name, params), at in zip(calls[self._seen :], times[self._seen :], strict=True):
            chat = params.get("chat_id")
            if name != "sendMessage" or chat not in self.titles or chat in self.done:
                continue
            text = str(params.get("text", ""))
            if END in text and self.titles[chat] in text:
                self.done[chat] = at
        self._seen = len(calls)

    async def wait(self, chats: set[int], timeout_s: float) -> bool:
        """Wait until every chat in `chats` has its final message; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.scan()
            if chats <= self.done.keys():
                return True
            await asyncio.sleep(0.01)
        return False

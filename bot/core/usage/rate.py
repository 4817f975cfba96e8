"""Requests per user per minute: a sliding window kept in memory (per process)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from datetime import datetime

WINDOW_S = 60.0


class RateLimiter:
    """Lets each user make `per_minute` requests in any 60 seconds; 0 turns it off."""

    def __init__(self, per_minute: int, clock: Callable[[], datetime]) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}

    def acquire(self, user_id: int) -> int | None:
        """Count a request; None when it may go ahead, else the seconds until one may."""
        if self._per_minute <= 0:
            return None
        now = self._clock().timestamp()
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - WINDOW_S:
            recent.popleft()
        if len(recent) >= self._per_minute:
            return max(1, math.ceil(recent[0] + WINDOW_S - now))
        recent.append(now)
        self._forget_idle(now)
        return None

    def _forget_idle(self, now: float) -> None:
        """Drop users with nothing in the window once the table grows, so memory stays bounded."""
        if len(self._recent) < 10_000:
            return
        for user_id in [u for u, times in self._recent.items() if times[-1] <= now - WINDOW_S]:
            del self._recent[user_id]

"""The bot process of `bench/concurrency.py`: the real bot plus an event-loop lag probe.

It runs exactly what `summarybot run` runs in polling mode (`load_settings`, `configure_logging`,
`build_bot`, its polling), and adds a timer that fires every PROBE_S seconds and
records how late it woke: a late wake-up means something held the event loop (or the GIL) that
long. The samples are written as JSON to $BENCH_LAG_FILE when the process exits.

With $BENCH_PROFILE=path the whole run is profiled with cProfile, worker threads included, and
the merged stats are dumped to that path. Extraction runs in worker processes (EXTRACT_WORKERS),
which neither profiler sees; `bench/concurrency.py` reads their CPU separately.
"""

from __future__ import annotations

import asyncio
import atexit
import cProfile
import json
import os
import pstats
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # last: a `bot` package on PYTHONPATH (--bot-path) wins
    sys.path.append(str(ROOT))

PROBE_S = 0.05
_samples: list[tuple[float, float]] = []  # (wall clock time, lag in seconds)
_profiles: list[cProfile.Profile] = []


def _probe(loop: asyncio.AbstractEventLoop, asked: float) -> None:
    """Record how much later than asked this wake-up came, and ask for the next one.

    A chain of timer callbacks rather than a task: nothing is left pending when the bot's
    loop closes at shutdown.
    """
    if asked:
        _samples.append((time.time(), time.perf_counter() - asked - PROBE_S))
    loop.call_later(PROBE_S, _probe, loop, time.perf_counter())


def _write_samples() -> None:
    path = os.environ.get("BENCH_LAG_FILE")
    if path:
        Path(path).write_text(json.dumps(_samples))


def _profile_threads() -> None:
    """Profile every thread started from now on (cProfile alone sees only the main thread)."""

    def start(*_: Any) -> None:
        profile = cProfile.Profile()
        _profiles.append(profile)
        profile.enable()  # replaces this bootstrap hook for the rest of the thread's life

    threading.setprofile(start)
    main = cProfile.Profile()
    _profiles.append(main)
    main.enable()


def _dump_profile(path: str) -> None:
    for profile in _profiles:
        profile.disable()
    stats = pstats.Stats(_profiles[0])
    for profile in _profiles[1:]:
        try:
            stats.add(profile)
        except TypeError:  # a thread that never ran a profiled call has no stats
            continue
    stats.dump_stats(path)


def main() -> None:
    """Run the bot until SIGTERM, with the lag probe (and the profiler when asked)."""
    # Imported here, not at the top: each extraction worker imports this script again (as
    # multiprocessing does with a script's __main__), and need not load the bot to do so.
    from bot.config import load_settings
    from bot.log import configure_logging
    from bot.telegram.app import new_event_loop, run_bot

    settings = load_settings()
    secrets = [s.get_secret_value() for s in (settings.telegram_bot_token,) if s]
    configure_logging(settings.log_level, secrets)
    profile_path = os.environ.get("BENCH_PROFILE")
    if profile_path:
        _profile_threads()
        atexit.register(_dump_profile, profile_path)
    atexit.register(_write_samples)
    # Exactly `summarybot run`, on a loop that also runs the lag probe.
    loop = new_event_loop()
    loop.call_soon(_probe, loop, 0.0)
    run_bot(settings, loop)


if __name__ == "__main__":
    main()

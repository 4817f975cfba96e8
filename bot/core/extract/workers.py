"""Extraction off the bot's process: a small pool of worker processes.

Extraction is pure-Python CPU work (lxml trees walked by trafilatura, regexes, pypdf); in a
thread it holds the GIL in long stretches and stalls the event loop that serves every chat.
Worker processes have their own GIL. They are forked from a "forkserver" that has already
imported the extraction modules, so a new worker starts in milliseconds, with trafilatura
loaded and none of the event loop's threads or sockets.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from bot.core.errors import ExtractionError

__all__ = ["ExtractionPool", "default_workers"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Imported once by the forkserver; every worker forked from it starts with them loaded.
_PRELOAD = ["bot.core.extract.html", "bot.core.reading.sources"]
# Longest wait for every worker to come up at start (a program run as a script is imported
# again by each new worker, which can take seconds on a busy machine).
_START_TIMEOUT_S = 60.0


# Each worker holds its own copy of trafilatura and lxml (tens of MB); a container on a large
# host sees all of the host's CPUs, so the default stops here. EXTRACT_WORKERS raises it.
MAX_DEFAULT_WORKERS = 4
# Added to each worker's niceness: the kernel then prefers the event loop when both want a core.
WORKER_NICENESS = 10


def default_workers() -> int:
    """One worker per CPU the bot may run on, at most MAX_DEFAULT_WORKERS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def _lower_priority() -> None:
    """Run a worker below the event loop's priority, so replies and fetches never wait on
    extraction for a core; on an idle machine the workers still get every spare cycle."""
    os.nice(WORKER_NICENESS)


def _warm(hold_s: float) -> int:
    """A trivial task that holds its worker a moment, so that the others get one too."""
    time.sleep(hold_s)
    return os.getpid()


class ExtractionPool:
    """Runs extraction functions in worker processes (or, with 0 workers, in a thread)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    async def start(self) -> None:
        """Start the workers and wait until each is up, so no user pays their start-up."""
        if self.workers == 0 or self._closed:
            return
        executor = self._ensure_executor()
        loop = asyncio.get_running_loop()
        ready: set[int] = set()

        async def every_worker_answers() -> None:
            # ProcessPoolExecutor starts a process per queued task (up to max_workers); a worker
            # that is up early may take several tasks, so ask until each one has answered.
            while len(ready) < self.workers:
                tasks = (loop.run_in_executor(executor, _warm, 0.02) for _ in range(self.workers))
                ready.update(await asyncio.gather(*tasks))

        try:
            await asyncio.wait_for(every_worker_answers(), _START_TIMEOUT_S)
        except TimeoutError:
            logger.warning("%d of %d extraction workers started", len(ready), self.workers)

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` in a worker; its typed errors arrive as raised.

        `function` must be a module-level function and its arguments and result picklable.
        A worker that dies (killed, out of memory) fails the requests it held with an
        ExtractionError; the next request gets a fresh pool.
        """
        if self.workers == 0:
            return await asyncio.to_thread(function, *args)
        if self._closed:
            raise ExtractionError("the extraction pool is closed")
        executor = self._ensure_executor()
        try:
            future = executor.submit(function, *args)
        except BrokenProcessPool:  # a worker died while idle: no request was lost
            self._discard(executor)
            executor = self._ensure_executor()
            future = executor.submit(function, *args)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self._discard(executor)
            raise ExtractionError("the extraction worker stopped unexpectedly") from exc

    async def aclose(self) -> None:
        """Stop the workers (waiting for running extractions); safe to call more than once."""
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        # ProcessPoolExecutor keeps its processes private; reading them beats tracking forks.
        processes = getattr(self._executor, "_processes", None) or {}
        return [pid for pid, process in dict(processes).items() if process.is_alive()]

    def _ensure_executor(self) -> ProcessPoolExecutor:
        """The current executor, created on first use or after a worker died."""
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            # Only takes effect when the forkserver starts, i.e. before the first pool.
            context.set_forkserver_preload(_PRELOAD)
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context, initializer=_lower_priority
            )
        return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        """Forget a broken executor (once, even when many requests saw it break)."""
        if self._executor is executor:
            logger.warning("an extraction worker died; starting a fresh pool")
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)

"""Extraction off the bot's process: a small pool of worker processes, each job bounded.

Extraction is pure-Python CPU work (lxml trees walked by trafilatura, regexes, pypdf); in a
thread it holds the GIL in long stretches and stalls the event loop that serves every chat.
Worker processes have their own GIL. They are forked from a "forkserver" that has already
imported the extraction modules, so a new worker starts in milliseconds, with trafilatura
loaded and none of the event loop's threads or sockets.

A hostile page (millions of tiny elements, a PDF that makes pypdf parse one stream per page)
could otherwise hold a worker for minutes and take gigabytes. Each job therefore has a
deadline and each worker a memory ceiling; a worker past either is killed and replaced, and
the caller gets a typed error. Every worker sits in an executor of its own, so killing one
fails only the job it held.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import TypeVar

from bot.core.errors import ExtractionError, ExtractionTimeoutError, TooComplexError
from bot.core.trace import stage

__all__ = ["ExtractionPool", "JobLimits", "default_workers"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Imported once by the forkserver; every worker forked from it starts with them loaded.
_PRELOAD = ["bot.core.extract.html", "bot.core.reading.sources"]
# Longest wait for a worker to come up (a program run as a script is imported again by each
# new worker, which can take seconds on a busy machine).
_START_TIMEOUT_S = 60.0
# How often a running job's worker has its memory checked: at the 40 MB/s a tree of tiny
# elements grows, a worker overshoots its ceiling by a few MB at most.
_WATCH_INTERVAL_S = 0.1
# The kernel refuses a worker address space beyond this multiple of its ceiling: a backstop
# for one sudden huge allocation that the watchdog would see too late.
_ADDRESS_SPACE_FACTOR = 2
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# How often a worker checks that the process owning its pool still runs. A worker's parent is
# the forkserver, which itself lives as long as any worker does, and a worker blocked on its
# job queue never sees the owner go: killed with SIGKILL, the bot would leave them all behind.
_OWNER_CHECK_S = 1.0

# Each worker holds its own copy of trafilatura and lxml (tens of MB); a container on a large
# host sees all of the host's CPUs, so the default stops here. EXTRACT_WORKERS raises it.
MAX_DEFAULT_WORKERS = 4
# Added to each worker's niceness: the kernel then prefers the event loop when both want a core.
WORKER_NICENESS = 10


@dataclass(frozen=True)
class JobLimits:
    """How long one extraction job may run and how much memory its worker may hold."""

    timeout_s: float = 30.0
    max_memory_mb: int = 1024

    @property
    def max_memory_bytes(self) -> int:
        """The ceiling in bytes."""
        return self.max_memory_mb * 2**20


def default_workers() -> int:
    """One worker per CPU the bot may run on, at most MAX_DEFAULT_WORKERS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def _memory_pages(pid: int | str, field: int) -> int:
    """A field of /proc/<pid>/statm in pages (0 where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[field])
    except (OSError, ValueError, IndexError):
        return 0


def _started(pid: int) -> str | None:
    """When process `pid` started (its identity, as ids are reused), None once it has exited
    or where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] in {"Z", "X"} else fields[19]  # a zombie has exited


def _exit_with(owner: int) -> None:
    """Kill this worker once process `owner` is gone, however it ended."""
    identity = _started(owner)
    if identity is None:
        return  # no /proc to watch it by (not Linux), or it is gone already

    def watch() -> None:
        while _started(owner) == identity:
            time.sleep(_OWNER_CHECK_S)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _set_up_worker(max_memory_bytes: int, owner: int) -> None:
    """Run a worker below the event loop's priority (replies and fetches never wait on
    extraction for a core), end it with its owner, and cap its address space."""
    os.nice(WORKER_NICENESS)
    # A terminal's Ctrl+C reaches the whole process group; the owner stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(owner)  # first: its thread's stack then counts in the start below
    start = _memory_pages("self", 0) * _PAGE_SIZE
    if start:
        limit = start + _ADDRESS_SPACE_FACTOR * max_memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _context(fork: bool) -> BaseContext:
    """How workers start: forked from this process, or from a forkserver that preloaded the
    extraction modules (a fresh process: none of this one's threads, sockets or state)."""
    if fork:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    # Only takes effect when the forkserver starts, i.e. before the first worker.
    context.set_forkserver_preload(_PRELOAD)
    return context


class _Worker:
    """One worker process in an executor of its own, so that it can be killed alone."""

    def __init__(self, limits: JobLimits, context: BaseContext) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_set_up_worker,
            initargs=(limits.max_memory_bytes, os.getpid()),
        )
        self.pid = 0

    async def start(self) -> None:
        """Start the process and learn its id."""
        self.pid = await asyncio.wait_for(
            asyncio.wrap_future(self.executor.submit(os.getpid)), _START_TIMEOUT_S
        )

    def submit(self, function: Callable[..., T], *args: object) -> Future[T]:
        """Hand one job to the process."""
        return self.executor.submit(function, *args)

    def alive(self) -> bool:
        """True while the process runs (a process killed while idle is found here)."""
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        # A killed child stays a zombie until reaped; its executor then reports it broken.
        return not getattr(self.executor, "_broken", False)

    def resident_bytes(self) -> int:
        """The process's resident memory now."""
        return _memory_pages(self.pid, 1) * _PAGE_SIZE

    def kill(self) -> None:
        """Stop the process at once, whatever it is doing."""
        if self.pid:
            with contextlib.suppress(OSError):  # already gone
                os.kill(self.pid, signal.SIGKILL)
        self.executor.shutdown(wait=False, cancel_futures=True)


class ExtractionPool:
    """Runs extraction functions in worker processes (or, with 0 workers, in a thread)."""

    def __init__(
        self, workers: int | None = None, limits: JobLimits | None = None, *, fork: bool = False
    ) -> None:
        """With `fork`, workers are forked from this process: a start in milliseconds instead
        of the forkserver's second or so, for a one-shot command; start() must then come before
        this process starts any thread (a fork copies none, nor the locks they hold)."""
        self.workers = default_workers() if workers is None else workers
        self.limits = limits or JobLimits()
        self._context = _context(fork)
        # Idle slots: a started worker, or None where one is to be started on first use.
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._live: set[_Worker] = set()
        self._closed = False

    async def start(self) -> None:
        """Start the workers and wait until each is up, so no user pays their start-up."""
        if self.workers == 0 or self._closed or self._idle is not None:
            return
        self._idle = asyncio.Queue()
        results = await asyncio.gather(
            *(self._new_worker() for _ in range(self.workers)), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                logger.warning("an extraction worker did not start: %s", result)
            self._idle.put_nowait(result if isinstance(result, _Worker) else None)

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` in a worker, within the job limits; its typed errors arrive as
        raised.

        `function` must be a module-level function and its arguments and result picklable.
        A job past its deadline raises ExtractionTimeoutError, one whose worker passes the
        memory ceiling TooComplexError; that worker is killed and the next job gets a new one.
        A worker that dies (killed, crashed) fails only the job it held, with ExtractionError.
        """
        with stage("extract"):
            return await self._run(function, *args)

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        if self.workers == 0:
            return await asyncio.to_thread(function, *args)
        if self._closed:
            raise ExtractionError("the extraction pool is closed")
        await self.start()
        assert self._idle is not None
        worker = await self._idle.get()
        try:
            if worker is None or not worker.alive():
                worker = await self._replace(worker)
            job = await self._watch(worker, worker.submit(function, *args))
            if isinstance(job.exception(), BrokenProcessPool | MemoryError):
                self._retire(worker)  # it died, or a refused allocation left it in doubt
                worker = None
        except BaseException:  # past a limit, cancelled, or no worker could start
            self._retire(worker)
            worker = None
            raise
        finally:
            self._idle.put_nowait(worker)
        return _result(job)

    async def aclose(self) -> None:
        """Stop the workers (waiting for running extractions); safe to call more than once."""
        self._closed = True
        workers, self._live = self._live, set()
        for worker in workers:
            await asyncio.to_thread(worker.executor.shutdown, wait=True, cancel_futures=True)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        return [worker.pid for worker in self._live if worker.alive()]

    async def _new_worker(self) -> _Worker:
        """A started worker, counted among the live ones."""
        worker = _Worker(self.limits, self._context)
        self._live.add(worker)
        try:
            await worker.start()
        except BaseException:
            self._retire(worker)
            raise
        return worker

    async def _replace(self, dead: _Worker | None) -> _Worker:
        """A new worker in place of one that died (or never started)."""
        self._retire(dead)
        try:
            return await self._new_worker()
        except (OSError, BrokenProcessPool, TimeoutError) as exc:
            raise ExtractionError("no extraction worker could be started") from exc

    def _retire(self, worker: _Worker | None) -> None:
        """Kill a worker that is dead, stuck, too big or no longer wanted."""
        if worker is not None and worker in self._live:
            self._live.discard(worker)
            worker.kill()

    async def _watch(self, worker: _Worker, future: Future[T]) -> asyncio.Future[T]:
        """The job once done, or a typed error when it passes its deadline or memory ceiling."""
        job = asyncio.wrap_future(future)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.timeout_s
        try:
            while not job.done():
                remaining = deadline - loop.time()
                if (error := self._past_limit(worker, remaining)) is not None:
                    logger.info("%s; its worker is replaced", error)
                    raise error
                await asyncio.wait([job], timeout=min(_WATCH_INTERVAL_S, remaining))
        finally:
            job.cancel()  # if the worker is left running: its end is nobody's business
        return job

    def _past_limit(self, worker: _Worker, remaining_s: float) -> ExtractionError | None:
        """The error for a running job past its worker's memory ceiling or its deadline."""
        limits = self.limits
        if worker.resident_bytes() > limits.max_memory_bytes:
            return TooComplexError(f"an extraction worker passed {limits.max_memory_mb} MB")
        if remaining_s <= 0:
            return ExtractionTimeoutError(
                f"an extraction job passed {limits.timeout_s:g} s",
                timeout_s=f"{limits.timeout_s:g}",
            )
        return None


def _result(job: asyncio.Future[T]) -> T:
    """A finished job's result, a dead worker's or a refused allocation's error typed."""
    try:
        return job.result()
    except BrokenProcessPool as exc:
        raise ExtractionError("the extraction worker stopped unexpectedly") from exc
    except MemoryError as exc:  # the address-space backstop refused an allocation
        raise TooComplexError("the extraction job ran out of memory") from exc

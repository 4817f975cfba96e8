"""Many users at once against the real bot: wall time, per-user latency, CPU per summary.

Usage: .venv/bin/python bench/concurrency.py [--users 200] [--llm-delay 5] [--pages-kb 50]
                                             [--profile out.prof] [--no-probe]

This process runs the outside world on 127.0.0.1 (the Bot API emulator, a fake OpenAI server that
streams its reply over --llm-delay seconds, and a web server with one distinct news page per
user); the bot runs in its own process (`bench/_botproc.py`, i.e. `summarybot run` plus an
event-loop lag probe; `--no-probe` runs `python -m bot run` itself) so its CPU is measured alone.
After one warm-up user, every user sends a link to their own page at the same moment; the bench
waits until each has the final summary message (not a draft) under their page's title.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench._pages import page_html, title_of  # noqa: E402
from tests.servers.article_server import ArticleServer, serve_articles  # noqa: E402
from tests.servers.openai_server import FakeOpenAI, serve_openai  # noqa: E402
from tests.servers.telegram_server import TelegramServer, serve_telegram  # noqa: E402

TARGET_WALL_RATIO = 1.5  # wall time <= 1.5 x the LLM's latency
TARGET_CPU_MS = 20.0  # per summary: one core then keeps up with Telegram's ~30 messages/s
TARGET_LAG_MS = 100.0  # no event-loop stall longer than this (asyncio's own "slow" threshold)
FIRST_TOKEN_SHARE = 0.2  # of --llm-delay before the first token; the rest streams
END = "That is the whole story in brief."
FIRST_CHAT = 100_000
TICK = os.sysconf("SC_CLK_TCK")

SUMMARY = (
    "**In short:** the council and residents disagree about a large local project, and the "
    "final vote is still weeks away.\n\n"
    "- The plan was approved in principle, but its cost has risen sharply since last spring, "
    "and the regional ministry wants firmer numbers before it pays its share.\n"
    "- Local businesses report lower takings during the works; some owners ask for "
    "compensation, others say the long-term gain is worth a difficult year.\n"
    "- A survey of households found broad support, although critics say the consultation was "
    "rushed and that the survey asked the wrong questions.\n"
    "- Engineers will inspect the site again before any further work is allowed to start.\n\n"
    "The mayor promised a public meeting before the vote and said every objection would be "
    f"answered in writing. {END}"
)


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


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


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


def bot_environment(
    telegram: TelegramServer, llm: FakeOpenAI, workdir: Path, users: int, profile: str | None
) -> dict[str, str]:
    """The bot's settings: every outside service points at this process's servers."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    return (
        env
        | {
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_API_BASE_URL": telegram.root,
            # Telegram's ~30 messages/s cap would dominate: 200 final messages alone take 6.7 s.
            "TELEGRAM_MAX_MESSAGES_PER_SECOND": "100000",
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": "sk-bench",
            "LLM_MODEL": "gpt-4o-mini",
            "LLM_MAX_CONCURRENCY": str(users + 16),
            "FETCH_ALLOW_PRIVATE_NETWORKS": "true",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "LOG_LEVEL": "WARNING",
            "BENCH_LAG_FILE": str(workdir / "lag.json"),
        }
        | ({"BENCH_PROFILE": profile} if profile else {})
    )


def user(chat_id: int) -> dict[str, Any]:
    """A private-chat user whose id is the chat id."""
    return {"id": chat_id, "is_bot": False, "first_name": f"U{chat_id}", "language_code": "en"}


@dataclass
class Result:
    """What one run measured."""

    users: int
    llm_delay_s: float
    startup_cpu_s: float
    startup_wall_s: float
    burst_cpu: Cpu
    wall_s: float
    latencies: list[float]
    missing: int
    bench_cpu_s: float
    calls: dict[str, int]
    lag_ms: list[float]
    exit_s: float | None
    exit_code: int | None


async def run(args: argparse.Namespace) -> Result:
    """Start the world and the bot, warm up, fire the burst, measure, stop."""
    async with serve_telegram() as telegram, serve_openai() as llm, serve_articles() as web:
        llm.delay_s = args.llm_delay * FIRST_TOKEN_SHARE
        llm.stream_s = args.llm_delay * (1 - FIRST_TOKEN_SHARE)
        llm.responder = lambda body: SUMMARY
        urls, titles = add_pages(web, args.users + 1, args.pages_kb)
        with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp:
            workdir = Path(tmp)
            command = bot_command(args, workdir)
            started = time.monotonic()
            bot = await asyncio.create_subprocess_exec(
                *command,
                cwd=workdir,
                env=bot_environment(telegram, llm, workdir, args.users, args.profile),
            )
            try:
                return await measure(args, telegram, bot, urls, titles, workdir, started)
            finally:
                if bot.returncode is None:
                    bot.kill()
                    await bot.wait()


def bot_command(args: argparse.Namespace, workdir: Path) -> list[str]:
    """`python -m bot run`, or the probe wrapper (optionally under the profiler)."""
    if args.no_probe:
        return [sys.executable, "-m", "bot", "run"]
    return [sys.executable, str(ROOT / "bench" / "_botproc.py")]


def add_pages(
    web: ArticleServer, count: int, size_kb: int
) -> tuple[dict[int, str], dict[int, str]]:
    """One distinct page per chat; returns each chat's URL and page title."""
    urls, titles = {}, {}
    for index in range(count):
        chat = FIRST_CHAT + index
        urls[chat] = web.add_page(
            f"/news/{index}", page_html(index, size_kb), "text/html; charset=utf-8"
        )
        titles[chat] = title_of(index)
    return urls, titles


async def measure(
    args: argparse.Namespace,
    telegram: TelegramServer,
    bot: asyncio.subprocess.Process,
    urls: dict[int, str],
    titles: dict[int, str],
    workdir: Path,
    started: float,
) -> Result:
    """Warm up with one user, then the burst; CPU is read around the burst only."""
    await telegram.wait_for(lambda: telegram.calls_of("getUpdates"), timeout=30)
    startup_wall = time.monotonic() - started
    startup_cpu = process_cpu(bot.pid).total
    finals = Finals(telegram, titles)
    warm = FIRST_CHAT
    telegram.send_message(warm, urls[warm], user=user(warm))
    if not await finals.wait({warm}, 10 * args.llm_delay + 30):
        raise SystemExit("the warm-up user never got a summary; is the bot working?")
    await asyncio.sleep(0.5)  # let the warm-up's last calls (typing, store) settle

    burst = set(urls) - {warm}
    cpu_before, bench_before = process_cpu(bot.pid), _self_cpu()
    first_call = len(telegram.calls)
    wall_before = time.time()
    injected = time.monotonic()
    for chat in sorted(burst):  # no await in between: all updates are queued at once
        telegram.send_message(chat, urls[chat], user=user(chat))
    complete = await finals.wait(burst, 10 * args.llm_delay + 60)
    cpu_after, bench_after = process_cpu(bot.pid), _self_cpu()
    wall_after = time.time()
    finished = [finals.done[c] for c in burst if c in finals.done]
    wall = (max(finished) if complete else time.monotonic()) - injected

    calls: dict[str, int] = {}
    for name, params in telegram.calls[first_call:]:
        if params.get("chat_id") in burst:
            calls[name] = calls.get(name, 0) + 1
    exit_s, exit_code = await stop(bot)
    return Result(
        users=len(burst),
        llm_delay_s=args.llm_delay,
        startup_cpu_s=startup_cpu,
        startup_wall_s=startup_wall,
        burst_cpu=Cpu(cpu_after.user - cpu_before.user, cpu_after.system - cpu_before.system),
        wall_s=wall,
        latencies=[at - injected for at in finished],
        missing=len(burst) - len(finished),
        bench_cpu_s=bench_after - bench_before,
        calls=calls,
        lag_ms=read_lag(workdir / "lag.json", wall_before, wall_after),
        exit_s=exit_s,
        exit_code=exit_code,
    )


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def stop(
    bot: asyncio.subprocess.Process, grace_s: float = 15.0
) -> tuple[float | None, int | None]:
    """SIGTERM the bot; how long it took to exit by itself (None if it had to be killed)."""
    asked = time.monotonic()
    bot.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(bot.wait(), grace_s)
    except TimeoutError:
        bot.kill()
        await bot.wait()
        return None, None
    return time.monotonic() - asked, code


def read_lag(path: Path, start: float, end: float) -> list[float]:
    """The probe's lags (ms) during the burst; empty when the probe did not run."""
    if not path.exists():
        return []
    samples = json.loads(path.read_text())
    return [lag * 1000 for at, lag in samples if start <= at <= end]


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def report(result: Result, args: argparse.Namespace) -> None:
    """Print the figures next to their targets."""
    n, delay = result.users, result.llm_delay_s
    print(f"concurrency bench: {n} users, each a different {args.pages_kb} KB page, at once")
    print(
        f"  fake LLM: {delay:g} s per call ({delay * FIRST_TOKEN_SHARE:g} s to first token, "
        f"then the reply streams for {delay * (1 - FIRST_TOKEN_SHARE):g} s)"
    )
    print(
        "  Telegram's real ~30 messages/s cap is lifted here (TELEGRAM_MAX_MESSAGES_PER_SECOND="
        "100000): at 30/s the final messages alone would take "
        f"{n / 30:.1f} s; the bench measures the bot's own overhead."
    )
    print(
        f"  bot start-up: {result.startup_wall_s:.2f} s wall, {result.startup_cpu_s * 1000:.0f} ms CPU"
    )
    if result.missing:
        print(f"  !! {result.missing} of {n} users got no full summary before the timeout")
    ratio = result.wall_s / delay
    wall_target = TARGET_WALL_RATIO * delay
    print(
        f"  wall time, all {n} summaries: {result.wall_s:.2f} s = {ratio:.2f} x LLM latency "
        f"(target <= {wall_target:g} s = {TARGET_WALL_RATIO:g} x)  "
        f"{verdict(not result.missing and ratio <= TARGET_WALL_RATIO)}"
    )
    if result.latencies:
        lat = result.latencies
        print(
            f"  per-user latency: p50 {percentile(lat, 0.5):.2f} s, p95 {percentile(lat, 0.95):.2f} s, "
            f"max {max(lat):.2f} s, min {min(lat):.2f} s"
        )
    cpu = result.burst_cpu
    per = cpu.total * 1000 / n
    print(
        f"  bot CPU during the burst: {cpu.total:.2f} s (user {cpu.user:.2f} s, system "
        f"{cpu.system:.2f} s) = {per:.1f} ms per summary (target <= {TARGET_CPU_MS:g} ms)  "
        f"{verdict(per <= TARGET_CPU_MS)}"
    )
    print(
        f"    one core would sustain {1000 / per:.0f} summaries/s"
        if per
        else "    (no CPU measured)"
    )
    if result.lag_ms:
        lag = result.lag_ms
        worst = max(lag)
        print(
            f"  event-loop lag (probe every 50 ms, {len(lag)} samples): p50 "
            f"{statistics.median(lag):.1f} ms, p99 {percentile(lag, 0.99):.1f} ms, max {worst:.1f} ms, "
            f"{sum(1 for x in lag if x > TARGET_LAG_MS)} over {TARGET_LAG_MS:g} ms "
            f"(target: none over {TARGET_LAG_MS:g} ms)  {verdict(worst <= TARGET_LAG_MS)}"
        )
    else:
        print("  event-loop lag: not measured (--no-probe)")
    per_user = ", ".join(f"{name} {count / n:.1f}" for name, count in sorted(result.calls.items()))
    print(f"  Bot API calls per user: {per_user}")
    print(
        f"  bench process (servers) CPU during the burst: {result.bench_cpu_s:.2f} s (same 2 cores)"
    )
    if result.exit_s is None:
        print("  !! the bot did not exit within 15 s of SIGTERM and was killed")
    else:
        print(f"  bot exit after SIGTERM: {result.exit_s:.2f} s, status {result.exit_code}")


def main() -> None:
    """Parse the options, run once, print the report (exit 0 even when a target is missed)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=200, help="users in the burst (200)")
    parser.add_argument("--llm-delay", type=float, default=5.0, help="seconds per LLM call (5)")
    parser.add_argument("--pages-kb", type=int, default=50, help="size of each page in KB (50)")
    parser.add_argument("--profile", metavar="PATH", help="cProfile the bot (all threads) to PATH")
    parser.add_argument("--no-probe", action="store_true", help="run `python -m bot run` itself")
    args = parser.parse_args()
    if args.profile:
        args.profile = str(Path(args.profile).resolve())
        args.no_probe = False  # the profiler lives in the probe wrapper
    report(asyncio.run(run(args)), args)


if __name__ == "__main__":
    main()

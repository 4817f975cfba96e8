"""Many users at once against the real bot: wall time, per-user latency, CPU per summary.

Usage: .venv/bin/python bench/concurrency.py [--users 200] [--llm-delay 5] [--pages-kb 50]
          [--heavy] [--profile PATH] [--asyncio-debug] [--bot-path DIR] [--no-probe]

This process runs the outside world on 127.0.0.1 (the Bot API emulator, a fake OpenAI server that
streams its reply over --llm-delay seconds, and a web server with one distinct news page per
user); the bot runs in its own process (`bench/_botproc.py`, i.e. `summarybot run` plus an
event-loop lag probe; `--no-probe` runs `python -m bot run` itself) so its CPU is measured alone.
The extraction workers (processes below the bot) are measured separately: the CPU target is for
the event-loop process, but the workers' CPU is printed on its own line, as both share the cores.
After one warm-up user, every user sends a link to their own page at the same moment; the bench
waits until each has the final summary message (not a draft) under their page's title.
With --heavy the bench runs twice, each time with a new bot: the burst alone, then the same
burst just behind one more user's huge article (about 290,000 tokens: five map calls and a merge)
and a group's digest of 200 links shared before (bench/_heavy.py); it prints the small users'
latency of both side by side (fair sharing of the model keeps them close).
The bot runs on its default settings (Telegram's 30 messages/s, LLM_MAX_CONCURRENCY): the
environment printed first is every override, all of them pointing it at the local servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench._heavy import ModelCalls, finish_heavy, heavy_pages, start_heavy, user  # noqa: E402
from bench._pages import page_html, title_of  # noqa: E402
from bench._procs import END, Cpu, Finals, process_cpu, workers_cpu  # noqa: E402
from bench._report import FIRST_TOKEN_SHARE, Result, compare, print_log, report  # noqa: E402
from bot.playground.emulator.server import TelegramServer, serve_telegram  # noqa: E402
from bot.telegram.app import new_event_loop  # noqa: E402
from tests.servers.article_server import ArticleServer, serve_articles  # noqa: E402
from tests.servers.openai_server import FakeOpenAI, serve_openai  # noqa: E402

FIRST_CHAT = 100_000
PY_SPY = Path(sys.executable).parent / "py-spy"

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


def bot_environment(
    telegram: TelegramServer,
    llm: FakeOpenAI,
    workdir: Path,
    args: argparse.Namespace,
) -> dict[str, str]:
    """The bot's settings: every outside service points at this process's servers."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    return (
        env
        | {
            # --bot-path puts another copy of the `bot` package (e.g. an older one) first.
            "PYTHONPATH": os.pathsep.join([*([args.bot_path] if args.bot_path else []), str(ROOT)]),
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_API_BASE_URL": telegram.root,
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": "sk-bench",
            "FETCH_ALLOW_PRIVATE_NETWORKS": "true",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "LOG_LEVEL": "WARNING",
            "BENCH_LAG_FILE": str(workdir / "lag.json"),
            # asyncio's debug mode logs each step that holds the loop longer than 100 ms.
            **({"PYTHONASYNCIODEBUG": "1"} if args.asyncio_debug else {}),
        }
        | ({"BENCH_PROFILE": args.profile} if args.profile and not PY_SPY.exists() else {})
    )


def print_overrides(environment: dict[str, str]) -> None:
    """Every setting the bench gives the bot; anything not listed is the bot's default."""
    system = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "PYTHONPATH"}
    overrides = sorted(f"{k}={v}" for k, v in environment.items() if k not in system)
    print("settings overridden (the rest are the defaults):", *overrides, sep="\n  ")


@dataclass(frozen=True)
class World:
    """The outside world of one run: the emulator, the model's calls, the users' pages."""

    telegram: TelegramServer
    calls: ModelCalls
    urls: dict[int, str]  # each chat's page
    titles: dict[int, str]  # each chat's page title
    huge_url: str | None  # the heavy requests run beside the burst when set


async def run(args: argparse.Namespace, heavy: bool) -> Result:
    """Start the world and the bot, warm up, fire the burst (with the heavy requests when
    `heavy`), measure, stop."""
    async with serve_telegram() as telegram, serve_openai() as llm, serve_articles() as web:
        llm.delay_s = args.llm_delay * FIRST_TOKEN_SHARE
        llm.stream_s = args.llm_delay * (1 - FIRST_TOKEN_SHARE)
        urls, titles = add_pages(web, args.users + 1, args.pages_kb)
        huge_url = heavy_pages(telegram, web, args.users + 1) if heavy else None
        world = World(telegram, ModelCalls(llm, SUMMARY, args.llm_delay), urls, titles, huge_url)
        with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp:
            workdir = Path(tmp)
            command = bot_command(args, workdir)
            environment = bot_environment(telegram, llm, workdir, args)
            print_overrides(environment)
            started = time.monotonic()
            log = (workdir / "bot.log").open("wb")
            bot = await asyncio.create_subprocess_exec(
                *command, stdout=log, stderr=log, cwd=workdir, env=environment
            )
            try:
                return await measure(args, world, bot, workdir, started)
            finally:
                if bot.returncode is None:
                    bot.kill()
                    await bot.wait()
                log.close()
                print_log(workdir / "bot.log")


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
    world: World,
    bot: asyncio.subprocess.Process,
    workdir: Path,
    started: float,
) -> Result:
    """Warm up with one user, then the burst (behind the heavy requests when the world has
    them); CPU is read around the burst only."""
    telegram, urls = world.telegram, world.urls
    await telegram.wait_for(lambda: telegram.calls_of("getUpdates"), timeout=30)
    startup_wall = time.monotonic() - started
    startup_cpu = process_cpu(bot.pid).total
    finals = Finals(telegram, world.titles)
    warm = FIRST_CHAT
    telegram.send_message(warm, urls[warm], user=user(warm))
    if not await finals.wait({warm}, 10 * args.llm_delay + 30):
        raise SystemExit("the warm-up user never got a summary; is the bot working?")
    await asyncio.sleep(0.5)  # let the warm-up's last calls (typing, store) settle
    spy = await start_py_spy(args, bot.pid)
    # Ahead of the burst, so that their calls hold the model or queue for it.
    sent = await start_heavy(telegram, world.calls, world.huge_url) if world.huge_url else None

    burst = set(urls) - {warm}
    cpu_before, bench_before = process_cpu(bot.pid), _self_cpu()
    workers_before = workers_cpu(bot.pid)
    first_call = len(telegram.calls)
    wall_before = time.time()
    injected = time.monotonic()
    for chat in sorted(burst):  # no await in between: all updates are queued at once
        telegram.send_message(chat, urls[chat], user=user(chat))
    complete = await finals.wait(burst, 10 * args.llm_delay + 60)
    cpu_after, bench_after = process_cpu(bot.pid), _self_cpu()
    workers_after = workers_cpu(bot.pid)
    wall_after = time.time()
    finished = [finals.done[c] for c in burst if c in finals.done]
    wall = (max(finished) if complete else time.monotonic()) - injected
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        await spy.wait()
    window = (injected, injected + wall)
    heavy = await finish_heavy(telegram, world.calls, sent, window) if sent is not None else None

    calls: dict[str, int] = {}
    started_at: dict[int, float] = {}  # the handler's first call (an empty draft)
    text_at: dict[int, float] = {}  # the first preview with text: the LLM is streaming
    for (name, params), at in zip(
        telegram.calls[first_call:], telegram.call_times[first_call:], strict=True
    ):
        target = params.get("chat_id")
        if isinstance(target, int) and target in burst:
            calls[name] = calls.get(name, 0) + 1
            started_at.setdefault(target, at)
            if name == "sendMessageDraft" and params.get("text"):
                text_at.setdefault(target, at)
    phases = {
        "update to first call": [started_at[c] - injected for c in started_at],
        "first call to first streamed text": [text_at[c] - started_at[c] for c in text_at],
        "first streamed text to final": [
            finals.done[c] - text_at[c] for c in text_at if c in finals.done
        ],
    }
    exit_s, exit_code = await stop(bot)
    return Result(
        users=len(burst),
        llm_delay_s=args.llm_delay,
        startup_cpu_s=startup_cpu,
        startup_wall_s=startup_wall,
        burst_cpu=Cpu(cpu_after.user - cpu_before.user, cpu_after.system - cpu_before.system),
        workers_cpu_s=sum(t - workers_before.get(p, 0.0) for p, t in workers_after.items()),
        workers=len(workers_after),
        wall_s=wall,
        latencies=[at - injected for at in finished],
        missing=len(burst) - len(finished),
        bench_cpu_s=bench_after - bench_before,
        calls=calls,
        phases=phases,
        lag_ms=read_lag(workdir / "lag.json", wall_before, wall_after),
        exit_s=exit_s,
        exit_code=exit_code,
        max_in_flight=world.calls.llm.max_in_flight,
        heavy=heavy,
    )


async def start_py_spy(args: argparse.Namespace, pid: int) -> asyncio.subprocess.Process | None:
    """Sample the bot with py-spy during the burst only (when --profile and py-spy is there)."""
    if not args.profile or not PY_SPY.exists():
        return None  # without py-spy, _botproc profiles the whole run with cProfile
    command = [str(PY_SPY), "record", "--pid", str(pid), "--rate", "200", "--threads", "--gil"]
    command += ["--format", "raw", "--output", args.profile, "--nonblocking"]
    spy = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL)
    await asyncio.sleep(1.0)  # py-spy needs a moment to attach
    return spy


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


def main() -> None:
    """Parse the options, run once, print the report (exit 0 even when a target is missed)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=200, help="users in the burst (200)")
    parser.add_argument("--llm-delay", type=float, default=5.0, help="seconds per LLM call (5)")
    parser.add_argument("--pages-kb", type=int, default=50, help="size of each page in KB (50)")
    parser.add_argument(
        "--heavy",
        action="store_true",
        help="then the burst again behind a huge article and a 200-link digest",
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="profile the bot during the burst: py-spy raw stacks (else cProfile) to PATH",
    )
    parser.add_argument(
        "--bot-path", metavar="DIR", help="run the `bot` package in DIR (before/after runs)"
    )
    parser.add_argument(
        "--asyncio-debug",
        action="store_true",
        help="log every step holding the bot's loop > 100 ms (slower: figures not comparable)",
    )
    parser.add_argument("--no-probe", action="store_true", help="run `python -m bot run` itself")
    args = parser.parse_args()
    if args.profile:
        args.profile = str(Path(args.profile).resolve())
        args.no_probe = False  # without py-spy, the cProfile profiler lives in the wrapper
    # uvloop for the servers too: the outside world shares the bot's cores, so the less it
    # takes of them, the more the figures are the bot's own.
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        alone = runner.run(run(args, heavy=False))
        report(alone, args)
        if args.heavy:  # a new bot and world, so that nothing of the first run is cached
            loaded = runner.run(run(args, heavy=True))
            report(loaded, args)
            compare(alone, loaded)


if __name__ == "__main__":
    main()

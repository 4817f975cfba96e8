"""The same burst through 1, 2 and 3 bot processes on one PostgreSQL database.

Usage: .venv/bin/python bench/replicas.py [--users 200] [--llm-delay 5] [--replicas 1,2,3]
          [--pages-kb 50] [--postgres postgresql://postgres@127.0.0.1:5432/test]

This process plays the outside world on 127.0.0.1 (the Bot API emulator, a fake OpenAI server
streaming its reply over --llm-delay seconds, one news page per user) and the load balancer:
each bot is a real `python -m bot run` in webhook mode on its own port, and the bench posts
the updates to them round robin, as Telegram's webhook would through a balancer. Each run gets
a fresh database. After one warm-up user per process, every user sends a link at once; the
bench waits for each user's final summary. Printed per run: wall time over the LLM's latency,
CPU per request (the bot processes, and their extraction workers apart), and store
transactions per request: PostgreSQL's commit count for the run's database (each statement
the bot runs on its own is one; a multi-statement transaction counts once).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench._report import FIRST_TOKEN_SHARE, print_log  # noqa: E402
from bench.concurrency import (  # noqa: E402
    SUMMARY,
    Finals,
    add_pages,
    bot_environment,
    process_cpu,
    stop,
    user,
    workers_cpu,
)
from bot.playground.emulator.server import TelegramServer, serve_telegram  # noqa: E402
from bot.telegram.app import new_event_loop  # noqa: E402
from tests.servers.article_server import serve_articles  # noqa: E402
from tests.servers.openai_server import FakeOpenAI, serve_openai  # noqa: E402

SECRET = "bench-secret"
HOOK_PATH = "hook"
STATS_FLUSH_S = 1.5  # PostgreSQL backends report their counters at most once a second


@dataclass(frozen=True)
class Run:
    """What one burst through `replicas` processes measured."""

    replicas: int
    users: int
    wall_s: float
    bot_cpu_s: float
    workers_cpu_s: float
    transactions: int
    missing: int


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def fresh_database(admin_url: str) -> Any:
    """A new PostgreSQL database for one run (its counters are this run's alone); its URL."""
    name = f"bench_replicas_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = admin_url.rsplit("/", 1)[0]
        yield name, f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def commits(admin_url: str, database: str) -> int:
    """Transactions the database has committed (and rolled back) so far."""
    admin = await asyncpg.connect(admin_url)
    try:
        row = await admin.fetchrow(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1",
            database,
        )
        return int(row[0]) if row else 0
    finally:
        await admin.close()


class Balancer:
    """Posts updates to the processes' webhooks in turn."""

    def __init__(self, ports: list[int]) -> None:
        self.urls = [f"http://127.0.0.1:{port}/{HOOK_PATH}" for port in ports]
        self._next = 0
        self._session = aiohttp.ClientSession()

    async def post(self, update: dict[str, Any], to: int | None = None) -> None:
        """Deliver one update (to process `to`, else the next in turn), retried until taken."""
        if to is None:
            to, self._next = self._next, (self._next + 1) % len(self.urls)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for _ in range(50):
            try:
                async with self._session.post(self.urls[to], json=update, headers=headers) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise SystemExit(f"process {to} never took an update")

    async def close(self) -> None:
        """Close the client."""
        await self._session.close()


def message_update(telegram: TelegramServer, chat: int, text: str) -> dict[str, Any]:
    """A user's message, taken out of the emulator's queue: the balancer delivers it."""
    telegram.send_message(chat, text, user=user(chat))
    update: dict[str, Any] = telegram.updates.pop()
    return update


async def one_run(args: argparse.Namespace, replicas: int, admin_url: str) -> Run:
    """Start `replicas` processes on a fresh database, warm them up, fire the burst."""
    async with serve_telegram() as telegram, serve_openai() as llm, serve_articles() as web:
        llm.delay_s = args.llm_delay * FIRST_TOKEN_SHARE
        llm.stream_s = args.llm_delay * (1 - FIRST_TOKEN_SHARE)
        llm.responder = lambda body: SUMMARY
        urls, titles = add_pages(web, args.users + replicas, args.pages_kb)
        async with fresh_database(admin_url) as (database, url):
            with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
                ports = [free_port() for _ in range(replicas)]
                bots = [
                    await start_bot(args, telegram, llm, Path(tmp), url, port, index)
                    for index, port in enumerate(ports)
                ]
                balancer = Balancer(ports)
                try:
                    return await burst(args, telegram, bots, balancer, urls, titles, database)
                finally:
                    await balancer.close()
                    for bot in bots:
                        await stop(bot)
                    for index in range(replicas):
                        print_log(Path(tmp) / f"bot{index}.log")


async def start_bot(
    args: argparse.Namespace,
    telegram: TelegramServer,
    llm: FakeOpenAI,
    workdir: Path,
    database_url: str,
    port: int,
    index: int,
) -> asyncio.subprocess.Process:
    """`python -m bot run` with a webhook on `port`, on the shared database."""
    settings = argparse.Namespace(
        bot_path=None, users=args.users, asyncio_debug=False, profile=None
    )
    env = bot_environment(telegram, llm, workdir, settings) | {
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/{HOOK_PATH}",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    env.pop("BENCH_LAG_FILE", None)
    log = (workdir / f"bot{index}.log").open("wb")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", stdout=log, stderr=log, cwd=workdir, env=env
    )


async def burst(
    args: argparse.Namespace,
    telegram: TelegramServer,
    bots: list[asyncio.subprocess.Process],
    balancer: Balancer,
    urls: dict[int, str],
    titles: dict[int, str],
    database: str,
) -> Run:
    """One warm-up user per process, then every user at once; measure around the burst."""
    # Each process sets its webhook once its server is about to listen.
    await telegram.wait_for(lambda: len(telegram.calls_of("setWebhook")) >= len(bots), 120)
    finals = Finals(telegram, titles)
    chats = sorted(urls)
    warm, rest = chats[: len(bots)], chats[len(bots) :]
    for index, chat in enumerate(warm):
        await balancer.post(message_update(telegram, chat, urls[chat]), to=index)
    if not await finals.wait(set(warm), 10 * args.llm_delay + 60):
        raise SystemExit("a warm-up user never got a summary; is the bot working?")
    await asyncio.sleep(STATS_FLUSH_S)
    admin = args.postgres
    before_tx = await commits(admin, database)
    cpu_before = sum(process_cpu(bot.pid).total for bot in bots)
    workers_before = [workers_cpu(bot.pid) for bot in bots]
    injected = time.monotonic()
    updates = [message_update(telegram, chat, urls[chat]) for chat in rest]
    await asyncio.gather(*(balancer.post(update) for update in updates))
    complete = await finals.wait(set(rest), 10 * args.llm_delay + 120)
    finished = [finals.done[chat] for chat in rest if chat in finals.done]
    wall = (max(finished) if complete else time.monotonic()) - injected
    cpu_after = sum(process_cpu(bot.pid).total for bot in bots)
    workers = sum(
        sum(t - before.get(pid, 0.0) for pid, t in workers_cpu(bot.pid).items())
        for bot, before in zip(bots, workers_before, strict=True)
    )
    await asyncio.sleep(STATS_FLUSH_S)
    transactions = await commits(admin, database) - before_tx
    return Run(
        len(bots),
        len(rest),
        wall,
        cpu_after - cpu_before,
        workers,
        transactions,
        len(rest) - len(finished),
    )


def print_run(run: Run, llm_delay: float) -> None:
    """One line per run."""
    per = max(1, run.users - run.missing)
    print(
        f"{run.replicas} process(es): wall {run.wall_s:6.2f} s = {run.wall_s / llm_delay:4.2f} x the"
        f" LLM's latency; CPU per request {run.bot_cpu_s / per * 1000:6.1f} ms"
        f" (+ extraction workers {run.workers_cpu_s / per * 1000:5.1f} ms);"
        f" store transactions per request {run.transactions / per:5.1f}"
        + (f"; {run.missing} users got no summary" if run.missing else "")
    )


async def run_all(args: argparse.Namespace) -> None:
    """Each replica count in turn, on its own database and servers."""
    counts = [int(n) for n in args.replicas.split(",")]
    print(
        f"settings: {args.users} users, one link each; fake LLM {args.llm_delay} s per reply;"
        f" {args.pages_kb} KB pages; PostgreSQL {args.postgres.rsplit('@', 1)[-1]};"
        f" webhook delivery round robin; {os.cpu_count()} cores; Telegram's rate cap lifted"
    )
    for replicas in counts:
        print_run(await one_run(args, replicas, args.postgres), args.llm_delay)


def main() -> None:
    """Parse the options, run each replica count, print a line for each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=200, help="users in the burst (200)")
    parser.add_argument("--llm-delay", type=float, default=5.0, help="seconds per LLM call (5)")
    parser.add_argument("--pages-kb", type=int, default=50, help="size of each page in KB (50)")
    parser.add_argument("--replicas", default="1,2,3", help="process counts to run (1,2,3)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL URL whose user may create databases",
    )
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(run_all(args))


if __name__ == "__main__":
    main()

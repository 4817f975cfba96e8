"""Figures of `bench/concurrency.py` and how they are printed next to their targets."""

from __future__ import annotations

import argparse
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from bench._heavy import DIGEST_LINKS, HeavyFigures, print_heavy
from bench._procs import Cpu
from bot.config import Settings

TARGET_WALL_RATIO = 1.5  # wall time <= 1.5 x the LLM's latency
TARGET_CPU_MS = 20.0  # per summary: one core then keeps up with Telegram's ~30 messages/s
TARGET_HEAVY_P95_RATIO = 1.3  # small users' p95 with the heavy requests / without them
TARGET_LAG_MS = 100.0  # no event-loop stall longer than this (asyncio's own "slow" threshold)
FIRST_TOKEN_SHARE = 0.2  # of --llm-delay before the first token; the rest streams


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Result:
    """What one run measured."""

    users: int
    llm_delay_s: float
    startup_cpu_s: float
    startup_wall_s: float
    burst_cpu: Cpu  # the bot's own process: its event loop and threads
    workers_cpu_s: float  # every process below the bot: extraction workers and their forkserver
    workers: int
    wall_s: float
    latencies: list[float]
    missing: int
    bench_cpu_s: float
    calls: dict[str, int]
    phases: dict[str, list[float]]
    lag_ms: list[float]
    exit_s: float | None
    exit_code: int | None
    max_in_flight: int  # model calls at once, at most (LLM_MAX_CONCURRENCY bounds it)
    heavy: HeavyFigures | None = None  # the heavy requests', when they ran beside the burst


def print_log(path: Path) -> None:
    """What the bot logged (LOG_LEVEL=WARNING: only problems), shortened."""
    lines = path.read_text(errors="replace").splitlines()
    heads = [line for line in lines if line[:4].isdigit() or line.startswith("summarybot")]
    if not lines:
        return
    print(f"bot log: {len(lines)} lines, {len(heads)} records")
    for line in heads[:12]:
        print(f"  | {line if len(line) <= 200 else line[:130] + ' ... ' + line[-65:]}")
    if heads:
        print("  | ...", *(f"  | {line[:200]}" for line in lines[-3:]), sep="\n")


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def report(result: Result, args: argparse.Namespace) -> None:
    """Print the figures next to their targets."""
    n, delay = result.users, result.llm_delay_s
    beside = f" beside a huge article and a {DIGEST_LINKS}-link digest" if result.heavy else ""
    print(
        f"concurrency bench: {n} users, each a different {args.pages_kb} KB page, at once{beside}"
    )
    print(
        f"  fake LLM: {delay:g} s per call ({delay * FIRST_TOKEN_SHARE:g} s to first token, "
        f"then the reply streams for {delay * (1 - FIRST_TOKEN_SHARE):g} s)"
    )
    print(
        "  Telegram's limit in force (the default 30 messages/s): the final messages alone "
        f"take {n / 30:.1f} s of it; typing actions and drafts yield to them."
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
    for phase, values in result.phases.items():
        if values:
            print(
                f"    {phase}: p50 {percentile(values, 0.5):.2f} s, "
                f"p95 {percentile(values, 0.95):.2f} s, max {max(values):.2f} s"
            )
    ceiling = Settings.model_fields["llm_max_concurrency"].default
    slots = "some waited for a slot" if result.max_in_flight >= ceiling else "none waited"
    print(
        f"  model calls at once, at most: {result.max_in_flight} "
        f"(LLM_MAX_CONCURRENCY {ceiling}: {slots})"
    )
    if result.heavy:
        print_heavy(result.heavy)
    cpu = result.burst_cpu
    per = cpu.total * 1000 / n
    print(
        f"  bot CPU during the burst: {cpu.total:.2f} s (user {cpu.user:.2f} s, system "
        f"{cpu.system:.2f} s) = {per:.1f} ms per summary (target <= {TARGET_CPU_MS:g} ms)  "
        f"{verdict(per <= TARGET_CPU_MS)}"
    )
    print(
        f"  extraction workers: {result.workers_cpu_s * 1000 / n:.1f} ms per summary "
        f"({result.workers_cpu_s:.2f} s in {result.workers} processes below the bot; the "
        "target above is for the event-loop process alone, the same 2 cores run both)"
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


def compare(alone: Result, loaded: Result) -> None:
    """The small users' latency without and with the heavy requests, side by side."""
    if not alone.latencies or not loaded.latencies:
        print("!! no small user got a summary in one of the two runs: nothing to compare")
        return
    print(
        f"small users' latency ({alone.users} users), the burst alone | beside the heavy "
        "requests | ratio"
    )
    for name, share in (("p50", 0.5), ("p95", 0.95), ("max", 1.0)):
        before, after = percentile(alone.latencies, share), percentile(loaded.latencies, share)
        target = (
            f"  (target <= {TARGET_HEAVY_P95_RATIO:g} x)  "
            f"{verdict(after <= TARGET_HEAVY_P95_RATIO * before and not loaded.missing)}"
            if name == "p95"
            else ""
        )
        print(f"  {name}: {before:6.2f} s | {after:6.2f} s | {after / before:.2f} x{target}")

"""How long `summarybot --help` takes and how much memory it holds, next to a full import.

Usage: .venv/bin/python bench/cli_startup.py [--runs 10]

Each figure is the median of --runs fresh interpreters (wall time) and the largest resident
set any of them reached. "full import" imports what a command needs (the settings, the
service, openai, trafilatura, aiohttp): what --help cost before the imports became lazy.
Target: --help under 0.2 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

TARGET_S = 0.2
CASES = {
    "summarybot --help": ["-m", "bot", "--help"],
    "summarybot --version": ["-m", "bot", "--version"],
    "full import": ["-c", "import bot.cli, bot.config, bot.core.service"],
}


def _measure(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and peak resident MB of `python ARGS` over `runs` runs."""
    times, peaks = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    return statistics.median(times), max(peaks) / 1024


def main() -> None:
    """Print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="interpreters started per case")
    runs = parser.parse_args().runs
    # "full import" comes last: the peak of the children's resident sets only ever grows.
    for name, args in CASES.items():
        seconds, megabytes = _measure(args, runs)
        print(f"{name:24} {seconds * 1000:7.0f} ms  {megabytes:6.1f} MB peak RSS")
    print(f"target: --help under {TARGET_S * 1000:.0f} ms")


if __name__ == "__main__":
    main()

"""Hostile inputs against the bounded extraction pool, and what a bounded CLI costs.

Usage: .venv/bin/python bench/limits.py [--runs 10]

Prints, for each hostile input (built here, as in tests/test_extract_limits.py), how the pool
with the default limits ended the job and after how long; then the median wall time of
`summarybot extract` on a small HTML file (one worker forked from the command).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.core.errors import SummarybotError  # noqa: E402
from bot.core.extract.html import extract_html  # noqa: E402
from bot.core.extract.workers import ExtractionPool  # noqa: E402
from bot.core.reading.sources import article_from_document  # noqa: E402
from tests.test_extract import STORY  # noqa: E402
from tests.test_extract_limits import TINY_ELEMENTS, build_pdf, shown_words  # noqa: E402

SMALL_PAGE = f"<html><head><title>Lanes</title></head><body><p>{' '.join(STORY)}</p></body></html>"


async def hostile() -> None:
    """Each hostile input through one worker with the default limits."""
    pool = ExtractionPool(workers=1)
    await pool.start()
    inputs = {
        "9.5 MB of tiny HTML elements": (extract_html, TINY_ELEMENTS),
        "8-page PDF, one 2 MB content stream": (
            article_from_document,
            build_pdf(shown_words("Lorem", 100_000), pages=8),
            "shared.pdf",
        ),
    }
    print(f"limits: {pool.limits.timeout_s:g} s per job, {pool.limits.max_memory_mb} MB per worker")
    for name, (function, *args) in inputs.items():
        started = time.perf_counter()
        try:
            article = await pool.run(function, *args)
            outcome = f"read, {len(article.text.split())} words"
        except SummarybotError as exc:
            outcome = exc.code
        print(f"  {name}: {outcome} after {time.perf_counter() - started:.1f} s")
    await pool.aclose()


def cli(runs: int) -> None:
    """Median wall time of `summarybot extract` on a small page."""
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "small.html"
        page.write_text(SMALL_PAGE)
        walls = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot", "extract", str(page)],
                check=True,
                capture_output=True,
                cwd=folder,
            )
            walls.append(time.perf_counter() - started)
    print(
        f"summarybot extract, small page: median {statistics.median(walls):.2f} s, "
        f"min {min(walls):.2f} s over {runs} runs"
    )


def main() -> None:
    """Run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(hostile())
    cli(args.runs)


if __name__ == "__main__":
    main()

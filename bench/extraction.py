"""Score our article extraction against plain trafilatura and readability-lxml on page sets.

Usage: .venv/bin/python bench/extraction.py [--set benchmark|readability|all] [--limit N]
       [--only ours|baseline|readability]

Sets: `benchmark` is the Zyte extraction benchmark (181 pages, human ground truth); `readability`
is 88 pages of Mozilla Readability's test suite, whose "truth" is Readability.js's own output (a
reference, not human truth). The metric is the benchmark's own (see ../shared/data/README.md):
`\\w+` tokens, 4-token shingle multisets, per-page precision and recall, both averaged over
eligible pages, F1 of the averages. Our extractor's quality gate is honoured: a refused page
scores as empty text. The CPU ratio is ours over plain trafilatura's, measured in the same run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
BENCHMARK = DATA / "extraction-benchmark"
SETS = {"benchmark": BENCHMARK, "readability": DATA / "readability-pages"}
SHINGLE = 4

if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """The multiset of 4-token shingles of `text` (one shorter shingle for a short text)."""
    tokens = re.findall(r"\w+", text)
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


@dataclass(frozen=True)
class PageScore:
    """Shingle overlap counts of one prediction against its ground truth."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """TP/(TP+FP), 1 when the prediction is exact, 0 when nothing was predicted."""
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP/(TP+FN), 1 when the prediction is exact, 0 when there was nothing to find."""
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


def score_page(predicted: str, truth: str) -> PageScore:
    """Count shared, extra and missing shingles of one page."""
    pred, true = shingles(predicted), shingles(truth)
    tp = sum((pred & true).values())
    return PageScore(tp, sum(pred.values()) - tp, sum(true.values()) - tp)


@dataclass(frozen=True)
class Totals:
    """Averaged precision and recall over eligible pages and the F1 of those averages."""

    precision: float
    recall: float
    f1: float


def aggregate(scores: Iterable[PageScore]) -> Totals:
    """Average precision and recall over eligible pages (the benchmark's definition) and F1."""
    scores = list(scores)
    # Normalising TP/FP/FN by their sum (as the reference does) leaves P and R unchanged.
    precisions = [s.precision for s in scores if s.tp + s.fp > 0]
    recalls = [s.recall for s in scores if s.tp + s.fn > 0]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    return Totals(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def load_pages(limit: int | None, folder: Path = BENCHMARK) -> list[tuple[str, str, str]]:
    """(id, html, ground-truth text) for the pages of a set (benchmark format) in id order."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit]
    return [
        (
            page_id,
            gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()).decode(
                "utf-8", errors="replace"
            ),
            truth[page_id]["articleBody"],
        )
        for page_id in ids
    ]


def ours(html: str) -> str:
    """Our extractor; a page the quality gate refuses scores as empty text."""
    from bot.core.errors import ExtractionError
    from bot.core.extract.html import extract_html

    try:
        return extract_html(html).text
    except ExtractionError:
        return ""


def baseline(html: str) -> str:
    """Plain trafilatura with its defaults."""
    import trafilatura

    return trafilatura.extract(html) or ""


def readability(html: str) -> str:
    """Plain readability-lxml: the text of its summary, with its defaults."""
    import lxml.html
    from readability import Document

    try:
        summary = Document(html).summary(html_partial=True)
        return lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    except Exception:  # readability raises bare Exceptions on odd pages: it found nothing
        return ""


@dataclass(frozen=True)
class RunResult:
    """Quality and CPU time of one extractor over the pages."""

    totals: Totals
    cpu_ms: list[float]
    empty: int  # pages with no text (for ours: refused by the quality gate)


def run(
    extractors: dict[str, Callable[[str], str]], pages: list[tuple[str, str, str]]
) -> dict[str, RunResult]:
    """Extract every page with each extractor, timing each call with process CPU time.

    The extractors take turns page by page, so a busy machine slows them alike and their
    CPU ratio stays fair.
    """
    scores: dict[str, list[PageScore]] = {name: [] for name in extractors}
    cpu_ms: dict[str, list[float]] = {name: [] for name in extractors}
    empty = dict.fromkeys(extractors, 0)
    for _page_id, html, truth in pages:
        for name, extract in extractors.items():
            start = time.process_time()
            text = extract(html)
            cpu_ms[name].append((time.process_time() - start) * 1000)
            empty[name] += not text
            scores[name].append(score_page(text, truth))
    return {
        name: RunResult(aggregate(scores[name]), cpu_ms[name], empty[name]) for name in extractors
    }


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "ours": ours,
    "baseline": baseline,
    "readability": readability,
}


def print_results(results: dict[str, RunResult], pages: int) -> None:
    """Print each extractor's figures and our CPU ratio over plain trafilatura's."""
    print(f"pages: {pages}")
    print(f"{'':12}{'F1':>8}{'P':>8}{'R':>8}{'ms med':>9}{'ms p95':>9}{'empty':>7}")
    for name, res in results.items():
        t = res.totals
        print(
            f"{name:12}{t.f1:8.3f}{t.precision:8.3f}{t.recall:8.3f}"
            f"{statistics.median(res.cpu_ms):9.1f}{percentile(res.cpu_ms, 0.95):9.1f}{res.empty:7d}"
        )
    if "ours" in results and "baseline" in results:
        ratio = sum(results["ours"].cpu_ms) / sum(results["baseline"].cpu_ms)
        print(f"CPU ratio ours/baseline (total): {ratio:.2f}x")


def main() -> None:
    """Parse arguments, run the chosen extractors on each chosen set and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="benchmark", dest="page_set")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--only", choices=list(EXTRACTORS), default=None)
    args = parser.parse_args()
    names = [args.only] if args.only else list(EXTRACTORS)
    extractors = {name: EXTRACTORS[name] for name in names}
    for set_name in SETS if args.page_set == "all" else [args.page_set]:
        folder = SETS[set_name]
        if not folder.is_dir():
            sys.exit(f"page set {set_name!r} not found at {folder}")
        pages = load_pages(args.limit, folder)
        # Warm up imports and caches so the first page's CPU time is not the import's.
        for extract in extractors.values():
            extract(pages[0][1])
        print(f"== {set_name} ({folder.name})")
        print_results(run(extractors, pages), len(pages))


if __name__ == "__main__":
    main()

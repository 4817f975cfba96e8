"""What watching the bot costs per request: the trace, the metrics, the redacted log line.

Usage: .venv/bin/python bench/observability.py [--requests 20000]

Each request is a trace with the stages a summary has (fetch, extract, one LLM call, send),
tokens and one LLM error, reported as `summarybot run` reports it: counted in the metrics and
logged as one line (text, then JSON) through the redacting filter with three secrets set, to a
stream that discards it. Also a /metrics exposition after all of them. Target: the report under
0.5 ms of CPU per request, under 5% of the ~10-14 ms a summary costs (bench/concurrency.py).
"""

from __future__ import annotations

import argparse
import io
import logging
import time

from bot.core import trace
from bot.core.trace import Trace, stage, tracing
from bot.log import LogFormat, configure_logging
from bot.ops.metrics import Metrics
from bot.ops.report import report_request

TARGET_MS = 0.5
SECRETS = ["123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "sk-live-abcdef123456", "hook-secret"]


def _one_request(number: int) -> Trace:
    """A summary's trace, its stages timed as the owner modules time them."""
    record = Trace(str(number), chat_id=1001, kind="summary")
    with tracing(record):
        for name in ("fetch", "extract", "llm", "send"):
            with stage(name):
                pass
        trace.add_tokens(1812, 240)
        trace.llm_error("llm.rate_limited")
    return record


def _measure(log_format: LogFormat, requests: int) -> tuple[float, float]:
    """CPU ms per request to trace and report it, and to render /metrics afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO", SECRETS, log_format=log_format, stream=io.StringIO())
    metrics = Metrics()
    try:
        start = time.process_time()
        for number in range(requests):
            report_request(_one_request(number), metrics)
        per_request = (time.process_time() - start) * 1000 / requests
        start = time.process_time()
        metrics.exposition()
        return per_request, (time.process_time() - start) * 1000
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args()
    for log_format in ("text", "json"):
        per_request, exposition = _measure(log_format, args.requests)
        verdict = "PASS" if per_request <= TARGET_MS else "FAIL"
        print(
            f"  {log_format:>4} log: {per_request:.3f} ms CPU per request reported "
            f"(target <= {TARGET_MS} ms)  {verdict}; /metrics rendered in {exposition:.2f} ms"
        )


if __name__ == "__main__":
    main()

"""One log line per request: its id, chat, kind, outcome, each stage's time and its tokens."""

from __future__ import annotations

import logging
from typing import Any

from bot.core.trace import Trace
from bot.ops.metrics import Metrics

log = logging.getLogger("bot.requests")


def report_request(trace: Trace, metrics: Metrics) -> None:
    """Log the finished request and count it in the metrics."""
    metrics.record(trace)
    fields = request_fields(trace)
    log.info("request %s", _as_text(fields), extra=fields)


def request_fields(trace: Trace) -> dict[str, Any]:
    """The request as plain values: the JSON log line's fields, and the text line's words."""
    fields: dict[str, Any] = {
        "request_id": trace.request_id,
        "chat": trace.chat_id,
        "kind": trace.kind,
        "outcome": trace.outcome,
        "seconds": round(trace.elapsed(), 3),
        "stages": {
            name: {"calls": times.calls, "seconds": round(times.seconds, 3)}
            for name, times in trace.stages.items()
        },
        "tokens": {"prompt": trace.prompt_tokens, "completion": trace.completion_tokens},
    }
    if trace.llm_errors:
        fields["llm_errors"] = dict(trace.llm_errors)
    return fields


def _as_text(fields: dict[str, Any]) -> str:
    """`id=7 chat=1001 kind=summary outcome=ok seconds=2.310 fetch=0.020 llm=2.100x2 ...`."""
    words = [f"id={fields['request_id']}"]
    words += [f"{key}={fields[key]}" for key in ("chat", "kind", "outcome")]
    words.append(f"seconds={fields['seconds']:.3f}")
    for name, times in fields["stages"].items():
        calls = f"x{times['calls']}" if times["calls"] > 1 else ""
        words.append(f"{name}={times['seconds']:.3f}{calls}")
    tokens = fields["tokens"]
    words.append(f"tokens={tokens['prompt']}+{tokens['completion']}")
    errors = fields.get("llm_errors", {})
    if errors:
        words.append("llm_errors=" + ",".join(f"{code}:{n}" for code, n in errors.items()))
    return " ".join(words)

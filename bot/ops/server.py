"""The metrics server: /healthz for orchestrators and /metrics for Prometheus (aiohttp).

/healthz answers 200 only when every check passes (the store and the Bot API answer) and 503
with the first failing one's name otherwise; the reason shown is the error's class only, since
a message could quote a connection string, while the log gets the whole story (redacted).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from bot.core.errors import ConfigError, StoreError
from bot.ops.metrics import CONTENT_TYPE, Metrics, QueueDepth

log = logging.getLogger(__name__)

# Raises (anything) when the dependency it checks does not answer.
Check = Callable[[], Awaitable[object]]
CHECK_TIMEOUT_S = 5.0


class OpsServer:
    """Serves /healthz and /metrics on one port until stopped."""

    def __init__(
        self,
        metrics: Metrics,
        queue_depth: QueueDepth,
        checks: Mapping[str, Check],
        check_timeout_s: float = CHECK_TIMEOUT_S,
    ) -> None:
        self._metrics = metrics
        self._queue_depth = queue_depth
        self._checks = dict(checks)
        self._timeout_s = check_timeout_s
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port; a port in use is a ConfigError naming METRICS_PORT."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._serve_metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigError(
                f"METRICS_PORT: cannot listen on {host}:{port} ({exc.strerror or exc}); "
                "choose a free port or leave METRICS_PORT empty"
            ) from exc
        self._runner = runner
        log.info("metrics and health check on http://%s:%s/metrics and /healthz", host, port)

    async def stop(self) -> None:
        """Stop listening; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        names = list(self._checks)
        results = await asyncio.gather(*(self._check(name) for name in names))
        failures = [problem for problem in results if problem is not None]
        if failures:
            return web.Response(status=503, text="; ".join(failures) + "\n")
        return web.Response(text="ok\n")

    async def _check(self, name: str) -> str | None:
        """None when the check passes, else a short reason."""
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._checks[name]()
        except Exception as exc:  # whatever went wrong, the answer is "not ready"
            log.warning("health check %r failed", name, exc_info=True)
            reason = "no answer in time" if isinstance(exc, TimeoutError) else type(exc).__name__
            return f"{name}: {reason}"
        return None

    async def _serve_metrics(self, request: web.Request) -> web.Response:
        try:
            self._metrics.set_queue(await self._queue_depth())
        except StoreError:  # /healthz says so; the gauge keeps its last value
            log.warning("could not count the requests waiting", exc_info=True)
        return web.Response(body=self._metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

"""The health check's client: what `summarybot health` (the image's HEALTHCHECK) asks."""

from __future__ import annotations

import aiohttp

PROBE_TIMEOUT_S = 8.0  # the server gives each of its checks 5 s


async def probe_health(host: str, port: int, timeout_s: float = PROBE_TIMEOUT_S) -> str | None:
    """None when /healthz answers 200; else the reason it gave, or why it gave none."""
    url = f"http://{_url_host(host)}:{port}/healthz"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as client,
            client.get(url) as response,
        ):
            if response.status == 200:
                return None
            return (await response.text()).strip() or f"HTTP {response.status}"
    except TimeoutError:
        return f"no answer from {url} in {timeout_s:g} s"
    except aiohttp.ClientError as exc:
        return f"no answer from {url} ({type(exc).__name__})"


def _url_host(host: str) -> str:
    """Where to reach a server listening on `host`: any address means this machine."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host

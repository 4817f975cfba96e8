"""A real local HTTP proxy that records what went through it.

Use the `proxy_server` fixture: `proxy.url` goes in HTTP_PROXY or HTTPS_PROXY, and
`proxy.seen` lists the request line of each connection ("GET http://127.0.0.1:.../x" or
"CONNECT api.telegram.org:443"). Plain requests to 127.0.0.1 are forwarded; everything else,
CONNECT tunnels included, is refused with 403, so no test reaches beyond this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

_REFUSED = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass
class ProxyServer:
    """The running proxy's address and the request lines it saw."""

    port: int = 0
    seen: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The proxy's URL, as HTTP_PROXY and HTTPS_PROXY take it."""
        return f"http://127.0.0.1:{self.port}"


async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy bytes one way until the sender closes."""
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def _handle(
    proxy: ProxyServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Forward one client connection to a local origin, or refuse it."""
    head = await reader.readuntil(b"\r\n\r\n")
    method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    proxy.seen.append(f"{method} {target}")
    origin = urlsplit(target)
    if method == "CONNECT" or origin.hostname != "127.0.0.1" or origin.port is None:
        writer.write(_REFUSED)
        writer.close()
        return
    # Origin servers accept the absolute-form request line, so the head goes on unchanged.
    upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", origin.port)
    upstream_writer.write(head)
    await asyncio.gather(_relay(reader, upstream_writer), _relay(upstream_reader, writer))


@pytest.fixture
async def proxy_server() -> AsyncIterator[ProxyServer]:
    """A fresh recording proxy on 127.0.0.1; see ProxyServer."""
    proxy = ProxyServer()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _handle(proxy, reader, writer)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        server.close()
        await server.wait_closed()

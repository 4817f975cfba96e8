"""HTTPS through a pinned address: TLS must still verify the host name the user asked for.

The fetcher's `route` plays the internet: the checked public address of a name is this
machine's HTTPS server, whose certificate names secure.test and no IP address.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.core.errors import ConnectError
from bot.core.fetch.fetcher import FetchPolicy, SafeFetcher

PUBLIC_IP = "93.184.215.14"  # what every name resolves to; the route makes it this machine


@dataclass
class TLSServer:
    """The HTTPS server's port, the names asked for in TLS (SNI) and the Host headers it got."""

    port: int = 0
    names: list[str | None] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    dialled: list[tuple[str, int]] = field(default_factory=list)  # checked (address, port)

    def route(self, address: str, port: int) -> tuple[str, int]:
        """Where the fetcher's checked address really is: this server."""
        self.dialled.append((address, port))
        return "127.0.0.1", self.port


class PublicResolver:
    """Every name is PUBLIC_IP."""

    async def resolve(self, host: str, port: int) -> list[str]:
        return [PUBLIC_IP]


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    """A self-signed certificate for secure.test only (no IP address in it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert = tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "1", "-subj", "/CN=secure.test"),
            *("-addext", "subjectAltName=DNS:secure.test", "-keyout", str(cert), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert


@pytest.fixture
async def tls_server(certificate: Path) -> AsyncIterator[TLSServer]:
    """An HTTPS server on 127.0.0.1 presenting the secure.test certificate."""
    server = TLSServer()

    async def page(request: web.Request) -> web.Response:
        server.hosts.append(request.headers.get("Host", ""))
        return web.Response(text="<html><p>over TLS</p></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate)
    context.sni_callback = lambda _socket, name, _context: server.names.append(name)
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


def fetcher(certificate: Path, server: TLSServer) -> SafeFetcher:
    """A fetcher that trusts the test certificate and forbids private networks."""
    trust = ssl.create_default_context(cafile=str(certificate))
    return SafeFetcher(
        FetchPolicy(), resolver=PublicResolver(), ssl_context=trust, route=server.route
    )


async def test_tls_verifies_the_asked_name_at_the_checked_address(
    certificate: Path, tls_server: TLSServer
) -> None:
    async with fetcher(certificate, tls_server) as client:
        page = await client.fetch("https://secure.test/")
    assert page.text is not None
    assert "over TLS" in page.text
    # The socket went to the checked IP; SNI, the certificate check and Host named the host.
    assert tls_server.dialled == [(PUBLIC_IP, 443)]
    assert tls_server.names == ["secure.test"]
    assert tls_server.hosts == ["secure.test"]


async def test_a_certificate_for_another_name_is_refused(
    certificate: Path, tls_server: TLSServer
) -> None:
    async with fetcher(certificate, tls_server) as client:
        with pytest.raises(ConnectError) as caught:
            await client.fetch("https://impostor.test/")
    assert "certificate" in repr(caught.value.__cause__).lower()
    assert tls_server.dialled == [(PUBLIC_IP, 443)]
    assert tls_server.hosts == []

"""HTTPS through a pinned address: TLS must still verify the host name the user asked for."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from bot.core.errors import ConnectError
from bot.core.fetch import FetchPolicy, SafeFetcher


@dataclass
class TLSServer:
    """The port of the HTTPS server and the Host headers it received."""

    port: int = 0
    hosts: list[str] = field(default_factory=list)


class LoopbackResolver:
    """Every name is this machine."""

    async def resolve(self, host: str, port: int) -> list[str]:
        return ["127.0.0.1"]


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
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


def fetcher(certificate: Path) -> SafeFetcher:
    trust = ssl.create_default_context(cafile=str(certificate))
    transport = httpx.AsyncHTTPTransport(verify=trust)
    policy = FetchPolicy(allow_private_networks=True)
    return SafeFetcher(policy, resolver=LoopbackResolver(), transport=transport)


async def test_tls_verifies_the_asked_name_not_the_dialled_ip(
    certificate: Path, tls_server: TLSServer
) -> None:
    async with fetcher(certificate) as client:
        page = await client.fetch(f"https://secure.test:{tls_server.port}/")
    assert page.text is not None
    assert "over TLS" in page.text
    assert tls_server.hosts == [f"secure.test:{tls_server.port}"]


async def test_a_certificate_for_another_name_is_refused(
    certificate: Path, tls_server: TLSServer
) -> None:
    async with fetcher(certificate) as client:
        with pytest.raises(ConnectError) as caught:
            await client.fetch(f"https://impostor.test:{tls_server.port}/")
    assert "certificate" in repr(caught.value.__cause__).lower()
    assert tls_server.hosts == []

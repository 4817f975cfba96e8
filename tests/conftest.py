"""Shared fixtures. A guard makes any test that reaches beyond this machine fail loudly."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any

import pytest

from bot.core.llm.tokens import TokenCounter

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

pytest_plugins = [
    "tests.servers.article_server",
    "tests.servers.openai_server",
    "tests.servers.telegram_server",
    "tests.servers.bot_runner",
    "tests.servers.proxy_server",
]


class NetworkAccessError(AssertionError):
    """A test tried to reach the network beyond loopback."""


def _is_local(address: Any) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths
        return True
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", maxsplit=1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections and DNS look-ups that would leave this machine."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_local(address):
            raise NetworkAccessError(f"test tried to connect to {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_local(address):
            raise NetworkAccessError(f"test tried to connect to {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_local((host if isinstance(host, str) else host.decode(),)):
            raise NetworkAccessError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def _clean_settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env, environment settings or proxies."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "LLM_MODEL",
        "LLM_CONTEXT_TOKENS",
        "SUMMARY_LANGUAGE",
        "DATABASE_URL",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "FETCH_ALLOW_PRIVATE_NETWORKS",
        "FETCH_TIMEOUT_S",
        "FETCH_MAX_BYTES",
        "EXTRACT_TIMEOUT_S",
        "EXTRACT_MAX_MEMORY_MB",
    ):
        monkeypatch.delenv(name, raising=False)
    for name in ("LC_ALL", "LC_MESSAGES"):  # the CLI words its labels in the locale's language
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):  # HTTP clients read these
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="session")
def counter() -> TokenCounter:
    """A token counter for a model tiktoken does not know: the offline cl100k_base fallback."""
    return TokenCounter("fake-model")


@pytest.fixture
def shared_data() -> Path:
    """The read-only ../shared/data folder; skips the test when a clone has none."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (only the developers' checkout has it)")
    return SHARED_DATA

"""The fetcher's address rules: what counts as private, and how URL hosts are read."""

from __future__ import annotations

import pytest

from bot.core.errors import CredentialsInURLError, InvalidURLError
from bot.core.fetch.addresses import is_blocked_address, parse_ip_host
from bot.core.fetch.fetcher import parse_url


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "169.254.0.1",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "::1",
        "::",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "::127.0.0.1",  # IPv4-compatible
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "64:ff9b::127.0.0.1",  # NAT64 of loopback
        "64:ff9b::10.0.0.1",
        "fc00::1",  # unique local
        "fd12:3456:789a::1",
        "fe80::1",  # link-local
        "fe80::1%eth0",
        "2606:4700:4700::1111%eth0",  # a zone id binds to an interface: never a web server
        "fec0::1",  # site-local (deprecated, still routed inside some networks)
        "feff:ffff::1",
        "3fff::1",  # documentation (RFC 9637)
        "3fff:fff:ffff::1",
        "192.88.99.1",  # the 6to4 relay anycast (deprecated)
        "::ffff:192.88.99.1",
        "ff02::1",  # multicast
        "2001:db8::1",  # documentation
        "not an address",
    ],
)
def test_private_and_special_addresses_are_blocked(address: str) -> None:
    assert is_blocked_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82b::200e",
        "::ffff:8.8.8.8",  # mapped public IPv4 is that IPv4
        "64:ff9b::8.8.8.8",  # NAT64 of a public address: how IPv6-only hosts reach IPv4 sites
        "2002:808:808::1",  # 6to4 of a public address
        "3fff:1000::1",  # just past the documentation block
        "192.88.100.1",
    ],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_blocked_address(address)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("::1", "::1"),
    ],
)
def test_numeric_host_spellings_are_normalised(host: str, expected: str) -> None:
    ip = parse_ip_host(host)
    assert ip is not None
    assert str(ip) == expected
    assert is_blocked_address(ip)


@pytest.mark.parametrize("host", ["example.com", "news.test", "0x7f.example", "1.2.3.4.com"])
def test_domain_names_are_not_addresses(host: str) -> None:
    assert parse_ip_host(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "999.1.1.1",
        "1.2.3.4.5",
        "0x100.0.0.1",
        "09.1.1.1",
        "1.2.65536",
        "[fe80::1%25eth0]",  # zone ids, as a URL spells them and as they are meant
        "[2606:4700:4700::1111%25eth0]",
        "[2606:4700:4700::1111%eth0]",
        "[::ffff:8.8.8.8%251]",
        "8.8.8.8%251",
    ],
)
def test_invalid_numeric_hosts_are_invalid_urls(host: str) -> None:
    with pytest.raises(InvalidURLError):
        parse_ip_host(host)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://0177.0.0.1:8080/a?b=c", "http://127.0.0.1:8080/a?b=c"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("  https://Example.COM/path  ", "https://example.com/path"),
    ],
)
def test_parse_url_makes_hosts_canonical(url: str, expected: str) -> None:
    assert str(parse_url(url)) == expected


_INVALID_URLS = [
    "",
    "not a url",
    "ftp://example.com/file",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "gopher://127.0.0.1:25/",
    "http://",
    "http:///path",
    "http://example.com:99999/",
    "http://[::1/",
    "http://[2606:4700:4700::1111%25eth0]/",
    "http://[fe80::1%25eth0]:8080/",
]
_URLS_WITH_CREDENTIALS = [
    "http://alice:s3cr3t@example.com/",
    "https://alice@example.com/",
    "http://:s3cr3t@example.com/",
    "http://@example.com/",
    "http://alice:s3cr3t@93.184.215.14/",
    "http://alice:s3cr3t@0x7f.1/",
    "HTTP://alice%40home:s3cr3t@example.com:8080/path",
]


@pytest.mark.parametrize(
    ("url", "error"),
    [(url, InvalidURLError) for url in _INVALID_URLS]
    + [(url, CredentialsInURLError) for url in _URLS_WITH_CREDENTIALS],
)
def test_unfetchable_urls_are_refused(url: str, error: type[InvalidURLError]) -> None:
    with pytest.raises(error) as caught:
        parse_url(url)
    assert type(caught.value) is error
    message = str(caught.value)
    assert message.endswith(".")
    assert "alice" not in message  # the message never repeats credentials
    assert "s3cr3t" not in message

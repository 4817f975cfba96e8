"""Which addresses the fetcher may connect to, and how URL hosts spell IP addresses."""

from __future__ import annotations

import ipaddress

from bot.core.errors import InvalidURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Python's is_global misses these in some versions; they are never a public web server.
_ALWAYS_BLOCKED = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT ("shared")
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("192.88.99.0/24"),  # the deprecated 6to4 relay anycast
    ipaddress.ip_network("198.18.0.0/15"),
    ipaddress.ip_network("fec0::/10"),  # site-local: deprecated, still routed inside networks
    ipaddress.ip_network("3fff::/20"),  # documentation (RFC 9637)
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known prefix; 64:ff9b:1::/48 is local


def _ipv4_number(part: str) -> int | None:
    """One part of a WHATWG IPv4 host: decimal, 0-prefixed octal or 0x-prefixed hex."""
    base, digits = 10, part
    if part[:2].lower() == "0x":
        base, digits = 16, part[2:] or "0"
    elif len(part) > 1 and part.startswith("0"):
        base, digits = 8, part[1:]
    try:
        return int(digits, base) if digits.isascii() and digits.isalnum() else None
    except ValueError:
        return None


def parse_ip_host(host: str) -> IPAddress | None:
    """The IP address a URL host spells (127.1, 0x7f.0.0.1, 2130706433, [::1]), else None.

    Follows the WHATWG URL standard, as browsers and resolvers (inet_aton) read these hosts:
    a host whose last part is a number must be a valid IPv4 address, else it is invalid.
    A zone id (`fe80::1%25eth0`) names one of this machine's interfaces: always invalid.
    """
    host = host.strip("[]").rstrip(".")
    if "%" in host:
        raise InvalidURLError("A web address cannot name a network interface.")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.split(".")
    if _ipv4_number(parts[-1]) is None:
        return None  # a domain name
    numbers = [_ipv4_number(part) for part in parts]
    if len(parts) > 4 or any(n is None for n in numbers):
        raise InvalidURLError(f"The host {host} is not a valid IP address.")
    *head, last = [n for n in numbers if n is not None]
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        raise InvalidURLError(f"The host {host} is not a valid IP address.")
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    value = int(address)
    if address in _NAT64 or 1 < value < 2**32:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def is_blocked_address(address: str | IPAddress) -> bool:
    """True when the fetcher must never connect to `address` (private, local, special)."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return True  # what we cannot parse we cannot vouch for
    if any(ip in net for net in _ALWAYS_BLOCKED):
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id is not None:
            return True  # bound to one of this machine's interfaces
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_blocked_address(embedded)
        if ip.teredo is not None and any(is_blocked_address(v4) for v4 in ip.teredo):
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )

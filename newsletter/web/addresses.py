"""Which addresses a request may be sent to: never from the web into this machine's network."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from newsletter.model.urls import ip_literal


def redirect_problem(origin: str, target: str) -> str | None:
    """Why a redirect from `origin` to `target` must not be followed, or None when it may be.

    A public address may not send the request to a private one (loopback, private network,
    link-local, unspecified, `localhost`): that would fetch an internal page into a newsletter.
    Here the target is judged as written; a host name, by the address it is found at when the
    request connects to it (`private_address`), for DNS may answer otherwise the second time
    it is asked. The origin counts as private only when it is written as such (an IP address,
    `localhost`), and then may redirect anywhere.
    """
    if may_redirect_inward(origin):
        return None
    private = _private_host(target)
    return None if private is None else _refused(private)


def may_redirect_inward(origin: str) -> bool:
    """Whether `origin` may redirect to a private address: it is written as one itself."""
    return _private_host(origin) is not None


def private_address(host: str, address: str) -> str | None:
    """Why a redirect to `host` must not connect to `address`, one of the addresses it was
    found at, or None when `address` is public."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if _is_public(ip):
        return None
    return _refused(host if ip_literal(host) is not None else f"{host}, at {ip}")


def _refused(private: str) -> str:
    return f"the server redirected to a private address ({private}): refused"


def _private_host(url: str) -> str | None:
    """The host of `url` when it is written as this machine or a private network, else None."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return host
    address = ip_literal(host)
    if address is None:
        return None
    return None if _is_public(address) else host


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public address, judged by the IPv4 address an IPv6 one carries, if it carries one:
    mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4
    (2002:aabb:ccdd::) all reach that IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and (address in _NAT64 or address in _COMPATIBLE):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return embedded.is_global
    return address.is_global

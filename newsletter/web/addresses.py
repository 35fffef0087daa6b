"""Which addresses a request may be sent to: never from the web into this machine's network."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from newsletter.model.urls import ip_literal


def redirect_problem(origin: str, target: str) -> str | None:
    """Why a redirect from `origin` to `target` must not be followed, or None when it may be.

    A public address may not send the request to a private one (loopback, private network,
    link-local, unspecified, `localhost`): that would fetch an internal page into a newsletter.
    The target's host name is resolved to tell; the origin counts as private only when it is
    written as such (an IP address, `localhost`), and then may redirect anywhere.
    """
    private = _private_host(target, resolve=True)
    if private is None or _private_host(origin) is not None:
        return None
    return f"the server redirected to a private address ({private}): refused"


def _private_host(url: str, *, resolve: bool = False) -> str | None:
    """The host of `url` when it names this machine or a private network, else None; with
    `resolve`, also a host name that DNS (or /etc/hosts) gives a private address."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return host
    address = ip_literal(host)
    if address is None:
        return _resolves_privately(host) if resolve else None
    return None if _is_public(address) else host


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global


def _resolves_privately(host: str) -> str | None:
    """`host` if any address it resolves to is not a public one, else None."""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # the request will fail on its own
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not _is_public(address):
            return f"{host}, at {address}"
    return None

"""URLs as an email needs them: absolute http(s), comparable."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from ipaddress import IPv4Address, IPv6Address

_HOST = re.compile(r"(?:\w(?:[\w-]*\w)?\.)*\w(?:[\w-]*\w)?\.?|[0-9a-f:.]*:[0-9a-f:.]*")
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]")


def http_url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL, or None when it is one."""
    shown = value if len(value) <= 60 else value[:57] + "..."
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        return f"not a valid URL: {shown!r}"
    if parts.scheme.lower() not in ("http", "https"):
        if not parts.scheme:
            return f"must be an absolute http(s) URL, not the relative {shown!r}"
        return f"must be an absolute http(s) URL, not a {parts.scheme}: link"
    if not host or not _HOST.fullmatch(host):
        return f"must be an absolute http(s) URL with a host name, not {shown!r}"
    if "@" in parts.netloc:  # shown to every reader, and a classic way to disguise a link
        return "must not carry a user name or password (user:password@ before the host)"
    if _UNSAFE.search(value):
        return f"must not contain spaces, quotes or control characters: {shown!r}"
    return None


def ip_literal(host: str) -> IPv4Address | IPv6Address | None:
    """The address `host` stands for when browsers and the system's resolver read it as one:
    IPv6, or IPv4 in any of their notations (`127.0.0.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`,
    full-width digits); None for a host name."""
    import ipaddress
    import unicodedata

    # Browsers map full-width digits and ideographic full stops to ASCII first.
    host = unicodedata.normalize("NFKC", host).replace("\u3002", ".").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not _IPV4_LIKE.fullmatch(host):  # inet_aton would ignore what follows a space
        return None
    import socket  # only here: a host name, the common case, needs none of it

    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


_IPV4_LIKE = re.compile(r"[0-9a-fA-FxX.]+")


def is_mailto(url: str) -> bool:
    """Whether `url` is a mailto: link (the scheme in any case, as browsers take it)."""
    return url[:7].lower() == "mailto:"


TRACKING = re.compile(
    r"utm_[a-z_]*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|"
    r"mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|"
    r"ref|ref_src|ref_url|cmpid|share|s_cid|at_medium|at_campaign",
    re.IGNORECASE,
)
"""Query parameters that say where a reader came from, not which page they read."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def without_tracking(url: str) -> str:
    """`url` without tracking parameters (utm_*, fbclid, gclid, ref, ...) and its fragment."""
    parts = urlsplit(url)
    query = [p for p in parts.query.split("&") if p and not TRACKING.fullmatch(p.split("=")[0])]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(query), ""))


def normalize_url(value: str) -> str:
    """The form of a URL used to spot the same article twice: lower-case scheme and host,
    no default port, no trailing slash, no fragment, no tracking parameters."""
    parts = urlsplit(without_tracking(value.strip()))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address keeps its brackets, apart from the port
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))

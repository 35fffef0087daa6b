"""URLs as an email needs them: absolute http(s), comparable."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

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
    if not host or not re.fullmatch(r"[\w.-]+|[0-9a-f:.]+", host):
        return f"must be an absolute http(s) URL with a host name, not {shown!r}"
    if _UNSAFE.search(value):
        return f"must not contain spaces, quotes or control characters: {shown!r}"
    return None


def normalize_url(value: str) -> str:
    """The form of a URL used to spot the same link twice: lower-case scheme and host, no fragment,
    no trailing slash."""
    parts = urlsplit(value)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))

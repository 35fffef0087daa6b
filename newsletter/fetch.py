"""Fetching web pages and feeds for `newsletter add`: bounded, polite, one line per failure."""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from newsletter import __version__
from newsletter.urls import http_url_problem, ip_literal

if TYPE_CHECKING:
    import httpx

Accept = Literal["html", "feed"]
"""What a fetch is for: a web page ("html") or an RSS/Atom feed ("feed")."""

USER_AGENT = f"newsletter/{__version__} (a tool that curates an email newsletter)"
"""No address in it: the PyPI project of that name is another one."""
MAX_REDIRECTS = 5
MAX_PAGE_BYTES = 5_000_000

_ACCEPT_HEADERS: dict[Accept, str] = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,"
    "*/*;q=0.5",
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Many servers label their feeds as plain text or bytes; read_feed says so if it is no feed.
_FEED_TYPES = frozenset({"text/plain", "application/octet-stream"})
_QUOTED_URL = re.compile(r"(:|,? not(?P<relative> the relative)?) (['\"]).*\3$")


@dataclass(frozen=True)
class Page:
    """A fetched page: its addresses, its bytes and what the server said they are."""

    url: str  # as asked for
    final_url: str  # after redirects
    body: bytes
    content_type: str  # the media type without parameters, e.g. "text/html"
    charset: str | None  # from the Content-Type header, if any


class FetchError(Exception):
    """A page that could not be fetched, said in one line without its URL (the caller shows it)."""


def fetch_pages(
    urls: Sequence[str],
    *,
    timeout: float = 10.0,
    concurrency: int = 4,
    max_bytes: int = MAX_PAGE_BYTES,
    accept: Accept = "html",
) -> list[Page | FetchError]:
    """Fetch every URL, several at a time (bounded), in the order given."""
    results: list[Page | FetchError | None] = []
    wanted: list[int] = []
    for index, url in enumerate(urls):
        problem = _url_problem(url)
        results.append(FetchError(problem) if problem else None)
        if problem is None:
            wanted.append(index)
    if wanted:
        import httpx

        workers = max(1, min(concurrency, len(wanted)))
        with httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT_HEADERS[accept]},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=workers),
            follow_redirects=False,  # followed by hand: each hop's URL is checked first
        ) as client:
            pool = ThreadPoolExecutor(max_workers=workers)
            try:
                fetched = pool.map(
                    lambda i: _fetch(client, urls[i], timeout, max_bytes, accept), wanted
                )
                for index, result in zip(wanted, fetched, strict=True):
                    results[index] = result
            finally:
                # All done, or interrupted (Ctrl-C): then the fetches under way are not waited for.
                pool.shutdown(wait=False, cancel_futures=True)
    return [r for r in results if r is not None]


def _fetch(
    client: httpx.Client, url: str, timeout: float, max_bytes: int, accept: Accept
) -> Page | FetchError:
    import httpx

    try:
        return _fetch_or_raise(client, url, timeout, max_bytes, accept)
    except FetchError as error:
        return error
    except httpx.TimeoutException:
        return FetchError(f"no answer within {timeout:g} s")
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as error:
        return FetchError(_network_problem(error, url))


def _fetch_or_raise(
    client: httpx.Client, url: str, timeout: float, max_bytes: int, accept: Accept
) -> Page:
    request = client.build_request("GET", url)
    # A trickling server resets the read timeout with every byte: cap the whole download too.
    deadline = time.monotonic() + 3 * timeout
    for _ in range(MAX_REDIRECTS + 1):
        response = client.send(request, stream=True)
        try:
            if response.next_request is None:
                body = _read_body(response, max_bytes, accept, deadline, timeout)
                media_type = response.headers.get("content-type", "").partition(";")[0]
                return Page(
                    url=url,
                    final_url=str(response.url),
                    body=body,
                    content_type=media_type.strip().lower() or _sniff(body),
                    charset=response.charset_encoding,
                )
            request = response.next_request
        finally:
            response.close()
        scheme = request.url.scheme
        if scheme not in ("http", "https"):
            raise FetchError(f"the server redirected to a {scheme}: address, not an http(s) one")
        if problem := redirect_problem(str(response.url), str(request.url)):
            raise FetchError(problem)
    raise FetchError("too many redirects (a redirect loop?)")


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


def _read_body(
    response: httpx.Response, max_bytes: int, accept: Accept, deadline: float, timeout: float
) -> bytes:
    if not response.is_success:
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = response.reason_phrase
        raise FetchError(f"HTTP {status} {phrase}".strip())
    media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type and not _acceptable(media_type, accept):
        wanted = "a web page" if accept == "html" else "a feed"
        raise FetchError(f"not {wanted} but {media_type}")
    too_large = FetchError(f"the page is larger than {size_text(max_bytes)}")
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # decompressed: the limit also stops a gzip bomb
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        if time.monotonic() > deadline:
            raise FetchError(f"the page took more than {3 * timeout:g} s to download")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not media_type and accept == "html" and _sniff(body) != "text/html":
        raise FetchError("not a web page: the server did not say what it is")
    return body


def _acceptable(media_type: str, accept: Accept) -> bool:
    if accept == "html":
        return media_type in _HTML_TYPES
    if media_type in _HTML_TYPES:
        return False
    return media_type.endswith(("/xml", "+xml")) or media_type in _FEED_TYPES


def _sniff(body: bytes) -> str:
    start = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<head" in start:
        return "text/html"
    if start.startswith(b"<"):
        return "application/xml"
    return "application/octet-stream"


def size_text(n: int) -> str:
    """A number of bytes as people read it: `5 MB`, `30.5 kB`, `800 bytes`."""
    if n >= 1_000_000:
        return f"{round(n / 1_000_000, 2):g} MB"
    if n >= 1000:
        return f"{round(n / 1000, 1):g} kB"
    return f"{n} bytes"


def _url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched, without repeating the URL (the caller shows it)."""
    problem = http_url_problem(url)
    if problem is None:
        return None
    match = _QUOTED_URL.search(problem)
    if match is None:
        return problem
    return problem[: match.start()] + (", not a relative one" if match["relative"] else "")


def _network_problem(error: Exception, url: str) -> str:
    """A network failure in the user's words, found in the chain of exceptions under `error`."""
    import httpx

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"could not find the host {urlsplit(url).hostname}"
        if isinstance(cause, ConnectionRefusedError):
            return "the server refused the connection"
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or "not valid"
            return f"the site's security certificate is not valid: {reason}"
        if isinstance(cause, ssl.SSLError):
            reason = cause.reason or str(cause)
            return f"no secure (TLS) connection could be made: {reason.lower().replace('_', ' ')}"
        if isinstance(cause, httpx.DecodingError):
            return "the page's compressed data is damaged"
        if isinstance(cause, httpx.RemoteProtocolError):
            return "the server broke off the connection or answered gibberish"
        if isinstance(cause, ConnectionResetError):
            return "the server reset the connection"
        cause = cause.__cause__ or cause.__context__
    text = " ".join(str(error).split()) or type(error).__name__
    return f"the page could not be fetched: {text}"


def describe_status(status: int, reason: str = "") -> str:
    """An HTTP status in one line with its standard phrase, e.g. `HTTP 404 Not Found`."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = reason
    return f"HTTP {status} {phrase}".strip()


def describe_failure(error: Exception, url: str, timeout: float) -> str:
    """Why a request to `url` got no answer, in one line without the URL (the caller shows it)."""
    import httpx

    if isinstance(error, httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    return _network_problem(error, url)

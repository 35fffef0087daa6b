"""Web pages and feeds for `newsletter add`: fetched through the one client, and refused
unless they are what was asked for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from newsletter.model.urls import http_url_problem
from newsletter.web.client import Client, FetchError, Response

Accept = Literal["html", "feed"]
"""What a fetch is for: a web page ("html") or an RSS/Atom feed ("feed")."""

MAX_PAGE_BYTES = 5_000_000

_ACCEPT_HEADERS: dict[Accept, str] = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "feed": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,"
    "*/*;q=0.5",
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Many servers label their feeds as plain text or bytes; read_feed says so if it is no feed.
_FEED_TYPES = frozenset({"text/plain", "application/octet-stream"})
# What a feed is served as: never a web page, however the editor came by its address.
_SYNDICATION_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
)
_XML_TYPES = frozenset({"application/xml", "text/xml"})
NOT_A_PAGE_BUT_A_FEED = "a feed, not a web page: add its items with --feed"
_ROOT = re.compile(
    rb"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)*<([\w.:-]+)", re.DOTALL
)
_QUOTED_URL = re.compile(r"(:|,? not(?P<relative> the relative)?) (['\"]).*\3$")


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page or feed: its addresses, its bytes and what the server said they are."""

    url: str  # as asked for
    final_url: str  # after redirects
    body: bytes
    content_type: str  # the media type without parameters, e.g. "text/html"
    charset: str | None  # from the Content-Type header, if any


def fetch_pages(
    urls: Sequence[str],
    *,
    timeout: float = 10.0,
    concurrency: int = 4,
    max_bytes: int = MAX_PAGE_BYTES,
    accept: Accept = "html",
) -> list[FetchedPage | FetchError]:
    """Fetch every URL, several at a time (bounded), in the order given."""
    results: list[FetchedPage | FetchError | None] = []
    wanted: list[int] = []
    for index, url in enumerate(urls):
        problem = _url_problem(url)
        results.append(FetchError(problem, "bad-answer") if problem else None)
        if problem is None:
            wanted.append(index)
    if wanted:
        with Client(timeout=timeout, concurrency=min(concurrency, len(wanted))) as client:

            def fetch(index: int) -> FetchedPage | FetchError:
                try:
                    return _page(client, urls[index], max_bytes, accept)
                except FetchError as error:
                    return error

            for index, result in zip(wanted, client.map(fetch, wanted), strict=True):
                results[index] = result
    return [r for r in results if r is not None]


def _page(client: Client, url: str, max_bytes: int, accept: Accept) -> FetchedPage:
    def refusal(response: Response) -> str | None:
        if not response.ok:
            return response.status_text
        if accept == "html" and response.media_type in _SYNDICATION_TYPES:
            return NOT_A_PAGE_BUT_A_FEED
        if accept == "html" and response.media_type in _XML_TYPES:
            return None  # read, to tell a feed from other XML by its root element
        if response.media_type and not _acceptable(response.media_type, accept):
            wanted = "a web page" if accept == "html" else "a feed"
            return f"not {wanted} but {response.media_type}"
        return None

    what = "page" if accept == "html" else "feed"
    response = client.fetch_wanted(
        url, accept=_ACCEPT_HEADERS[accept], limit=max_bytes, refusal=refusal, what=what
    )
    if accept == "html" and is_feed(response.body):
        raise FetchError(NOT_A_PAGE_BUT_A_FEED, "bad-answer")
    if accept == "html" and response.media_type in _XML_TYPES:
        raise FetchError(f"not a web page but {response.media_type}", "bad-answer")
    if not response.media_type and accept == "html" and sniff(response.body) != "text/html":
        raise FetchError("not a web page: the server did not say what it is", "bad-answer")
    return FetchedPage(
        url=url,
        final_url=response.final_url,
        body=response.body,
        content_type=response.media_type or sniff(response.body),
        charset=response.charset,
    )


def _acceptable(media_type: str, accept: Accept) -> bool:
    if accept == "html":
        return media_type in _HTML_TYPES
    if media_type in _HTML_TYPES:
        return False
    return media_type.endswith(("/xml", "+xml")) or media_type in _FEED_TYPES


def sniff(body: bytes) -> str:
    """What the first bytes say a body is: a web page, some XML, or unknown bytes."""
    start = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<head" in start:
        return "text/html"
    if start.startswith(b"<"):
        return "application/xml"
    return "application/octet-stream"


def is_feed(body: bytes) -> bool:
    """Whether a body is an RSS, Atom or RSS 1.0 (RDF) feed, by its root element: `rss`,
    `feed` or `rdf:RDF`, after any XML declaration, comments and document type."""
    start = body[:4096].lstrip(b"\xef\xbb\xbf")
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: its ASCII letters, without the zeros
        start = start[2:].replace(b"\0", b"")
    match = _ROOT.match(start)
    if match is None:
        return False
    name = match[1].decode("ascii", "replace")
    return name.lower() in ("rss", "feed") or name.rpartition(":")[2] == "RDF"


def _url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched, without repeating the URL (the caller shows it)."""
    problem = http_url_problem(url)
    if problem is None:
        return None
    match = _QUOTED_URL.search(problem)
    if match is None:
        return problem
    return problem[: match.start()] + (", not a relative one" if match["relative"] else "")
